// Where the face detail pass works: which detected faces it takes, the padded square cut out around each (whole
// pixels, always inside the image: near a border the square slides inwards rather than shrinking, and only a face
// larger than the picture allows makes it smaller), and the feathered ellipse that decides how much of the repaint
// each pixel takes. The mask is exactly 0 outside the ellipse, so every pixel there keeps its value bit for bit.
import type { FaceChoice } from '../../../src-preload/contract/generation.ts';
import type { Detection } from './detect.ts';

/** The ellipse reaches this much beyond the detector's box (which stops at the brows and the chin). */
const ELLIPSE_GROWTH = 1.15;

export interface FaceRegion {
  /** The square cut out, in image pixels. */
  readonly left: number;
  readonly top: number;
  readonly side: number;
  /** The mask's ellipse in image pixels (centre, semi-axes), inside the square. */
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
}

const longerSide = (d: Detection): number => Math.max(d.box[2] - d.box[0], d.box[3] - d.box[1]);
const area = (d: Detection): number => (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]);

/** The faces to repaint, or why there are none. Indices count in the detector's order (best score first). */
export function chooseFaces(detections: readonly Detection[], choice: FaceChoice, minSize: number): { faces: Detection[]; skipped?: string } {
  if (detections.length === 0) return { faces: [], skipped: 'No face was found in the image, so the face detail pass was skipped.' };
  let candidates: Detection[];
  if (choice === 'all') candidates = [...detections];
  else if (choice === 'largest') candidates = [detections.reduce((best, d) => (area(d) > area(best) ? d : best))];
  else {
    const face = detections[choice];
    if (face === undefined) return { faces: [], skipped: `Face ${choice + 1} was chosen but the image has ${detections.length === 1 ? 'only 1 face' : `only ${detections.length} faces`}; the face detail pass was skipped.` };
    candidates = [face];
  }
  const faces = candidates.filter((d) => longerSide(d) >= minSize);
  if (faces.length === 0) return { faces, skipped: `The face${candidates.length === 1 ? ' is' : 's are'} smaller than ${minSize} px, so the face detail pass was skipped.` };
  return { faces };
}

/** The padded square and the ellipse of one face in a width × height image. */
export function faceRegion(detection: Detection, width: number, height: number, padding: number): FaceRegion {
  const [x1, y1, x2, y2] = detection.box;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const side = Math.max(1, Math.min(Math.round(longerSide(detection) * (1 + 2 * padding)), width, height));
  const left = Math.min(Math.max(Math.round(cx - side / 2), 0), width - side);
  const top = Math.min(Math.max(Math.round(cy - side / 2), 0), height - side);
  // The ellipse stays inside the square (a face at the border is cut by the border, not by the square).
  const rx = Math.min(((x2 - x1) / 2) * ELLIPSE_GROWTH, cx - left, left + side - cx);
  const ry = Math.min(((y2 - y1) / 2) * ELLIPSE_GROWTH, cy - top, top + side - cy);
  return { left, top, side, cx, cy, rx: Math.max(rx, 0), ry: Math.max(ry, 0) };
}

/** The mask at image point (x, y): 1 inside, a smooth fall to 0 over the outer `feather` share of the radius, 0 outside. */
export function ellipseWeight(region: FaceRegion, feather: number, x: number, y: number): number {
  if (region.rx <= 0 || region.ry <= 0) return 0;
  const e = Math.hypot((x - region.cx) / region.rx, (y - region.cy) / region.ry);
  if (e >= 1) return 0;
  if (feather <= 0 || e <= 1 - feather) return 1;
  const t = (1 - e) / feather;
  return t * t * (3 - 2 * t);
}

/**
 * The mask over the square sampled on a size × size grid (pixel centres): size = side gives it at image resolution,
 * the native size gives the repaint's inpainting mask.
 */
export function regionMask(region: FaceRegion, feather: number, size: number): Float32Array {
  const mask = new Float32Array(size * size);
  const step = region.side / size;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) mask[j * size + i] = ellipseWeight(region, feather, region.left + (i + 0.5) * step, region.top + (j + 0.5) * step);
  }
  return mask;
}
