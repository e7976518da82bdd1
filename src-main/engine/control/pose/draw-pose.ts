// The OpenPose control map as the ControlNet OpenPose models were trained on it (lllyasviel's annotator util,
// kept by DWPose, sd-webui-controlnet and comfyui_controlnet_aux): 17 limbs as filled ellipses in 18 colours
// dimmed to 60 %, 18 joints as radius-4 dots, hand bones coloured round the HSV hue circle with blue joint dots
// (the upstream (0, 0, 255) on an RGB canvas), face points as white radius-3 dots. Keypoints are in [0, 1] of the
// canvas, as upstream keeps them, so every float step (×W, int()) matches.
import { ellipse2Poly, fillCircle, fillConvexPoly, thickLine, type Canvas, type Rgb } from './opencv-drawing.ts';

/** A keypoint as a fraction of the canvas width and height, or null where it was not seen. */
export type NormalizedPoint = readonly [number, number] | null;

/** One person in OpenPose layout: 18 body points, left and right hands of 21, 68 face points. */
export interface OpenPosePerson {
  readonly body: readonly NormalizedPoint[];
  readonly hands: readonly [readonly NormalizedPoint[], readonly NormalizedPoint[]];
  readonly face: readonly NormalizedPoint[];
}

/** What the map shows besides the body: the upstream openpose / openpose_hand / openpose_face / openpose_full. */
export interface PoseParts {
  readonly hands: boolean;
  readonly face: boolean;
}

/** Limbs as 1-based OpenPose joint pairs; upstream lists two more (ear–shoulder) but draws only these 17. */
const LIMBS: readonly (readonly [number, number])[] = [
  [2, 3], [2, 6], [3, 4], [4, 5], [6, 7], [7, 8], [2, 9], [9, 10], [10, 11], [2, 12], [12, 13], [13, 14], [2, 1], [1, 15], [15, 17], [1, 16], [16, 18],
];

const BODY_COLORS: readonly Rgb[] = [
  [255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0], [0, 255, 85], [0, 255, 170],
  [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255], [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85],
];

const HAND_BONES: readonly (readonly [number, number])[] = [
  [0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [0, 9], [9, 10], [10, 11], [11, 12], [0, 13], [13, 14], [14, 15], [15, 16], [0, 17], [17, 18], [18, 19], [19, 20],
];

const STICK_WIDTH = 4;
const JOINT_RADIUS = 4;
const FACE_RADIUS = 3;
const HAND_JOINT: Rgb = [0, 0, 255];
const FACE_DOT: Rgb = [255, 255, 255];

/** matplotlib.colors.hsv_to_rgb([h, 1, 1]) × 255 as cv2 takes it (saturate_cast rounds half to even). */
function hueColor(hue: number): Rgb {
  const sector = Math.trunc(hue * 6);
  const f = hue * 6 - sector;
  // matplotlib's q = v(1 − s·f) and t = v(1 − s(1 − f)) with s = v = 1; t is not always f in floating point.
  const q = 1 - f;
  const t = 1 - (1 - f);
  const channels: Record<number, readonly [number, number, number]> = { 0: [1, t, 0], 1: [q, 1, 0], 2: [0, 1, t], 3: [0, q, 1], 4: [t, 0, 1], 5: [1, 0, q] };
  const [r, g, b] = channels[sector % 6]!;
  const byte = (v: number): number => {
    const x = v * 255;
    const rounded = Math.round(x);
    return Math.abs(x - Math.trunc(x)) === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
  };
  return [byte(r), byte(g), byte(b)];
}

const HAND_COLORS = HAND_BONES.map((_, i) => hueColor(i / HAND_BONES.length));

/** upstream draw_bodypose: every limb of every person, the whole canvas × 0.6 (truncated), then the joints. */
function drawBodies(canvas: Canvas, people: readonly OpenPosePerson[]): void {
  const { width: W, height: H } = canvas;
  LIMBS.forEach(([a, b], limb) => {
    for (const person of people) {
      const p = person.body[a - 1];
      const q = person.body[b - 1];
      if (!p || !q) continue;
      const [x0, x1] = [p[0] * W, q[0] * W];
      const [y0, y1] = [p[1] * H, q[1] * H];
      const [dy, dx] = [y0 - y1, x0 - x1];
      const length = Math.sqrt(dy * dy + dx * dx);
      // math.degrees multiplies by the constant 180/π.
      const angle = Math.trunc(Math.atan2(dy, dx) * (180 / Math.PI));
      const polygon = ellipse2Poly([Math.trunc((x0 + x1) / 2), Math.trunc((y0 + y1) / 2)], [Math.trunc(length / 2), STICK_WIDTH], angle, 0, 360, 1);
      fillConvexPoly(canvas, polygon, BODY_COLORS[limb]!);
    }
  });
  for (let i = 0; i < canvas.data.length; i++) canvas.data[i] = Math.trunc(canvas.data[i]! * 0.6);
  BODY_COLORS.forEach((color, joint) => {
    for (const person of people) {
      const p = person.body[joint];
      if (p) fillCircle(canvas, [Math.trunc(p[0] * W), Math.trunc(p[1] * H)], JOINT_RADIUS, color);
    }
  });
}

/** Pixel position of a point, or null where upstream skips it (unseen, or at or left of / above the first pixel). */
function pixel(point: NormalizedPoint, W: number, H: number): readonly [number, number] | null {
  if (!point) return null;
  const x = Math.trunc(point[0] * W);
  const y = Math.trunc(point[1] * H);
  return x > 0 && y > 0 ? [x, y] : null;
}

/** upstream draw_handpose for one hand: bones 2 px thick, then the blue joint dots. */
function drawHand(canvas: Canvas, hand: readonly NormalizedPoint[]): void {
  const { width: W, height: H } = canvas;
  HAND_BONES.forEach(([a, b], bone) => {
    const p = pixel(hand[a]!, W, H);
    const q = pixel(hand[b]!, W, H);
    if (p && q) thickLine(canvas, p, q, HAND_COLORS[bone]!, 2);
  });
  for (const point of hand) {
    const p = pixel(point, W, H);
    if (p) fillCircle(canvas, p, JOINT_RADIUS, HAND_JOINT);
  }
}

/** The OpenPose control map of these people on a black width × height canvas: 8-bit HWC RGB. */
export function drawPose(people: readonly OpenPosePerson[], width: number, height: number, parts: PoseParts): Uint8Array {
  const canvas: Canvas = { data: new Uint8Array(width * height * 3), width, height };
  drawBodies(canvas, people);
  if (parts.hands) {
    // Upstream stacks every person's left hand, then every right hand.
    for (const side of [0, 1] as const) for (const person of people) drawHand(canvas, person.hands[side]);
  }
  if (parts.face) {
    for (const person of people) {
      for (const point of person.face) {
        const p = pixel(point, width, height);
        if (p) fillCircle(canvas, p, FACE_RADIUS, FACE_DOT);
      }
    }
  }
  return canvas.data;
}
