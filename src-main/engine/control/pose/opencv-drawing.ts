// The few OpenCV 4.6 drawing primitives the OpenPose annotator calls, reproduced pixel for pixel on an 8-bit RGB
// canvas: cv2.ellipse2Poly, cv2.fillConvexPoly (LINE_8), cv2.circle filled (LINE_8) and cv2.line thick (LINE_8).
// The ControlNet OpenPose models were trained on maps drawn by exactly these calls, so the rasterisation rules
// (16.16 fixed point, Bresenham edges, OpenCV's rounding) are kept. Checked against OpenCV by
// test/fixtures-generated/pose (draw_reference.py).
import { roundHalfEven } from '../../face/opencv-kernels.ts';

export type Rgb = readonly [number, number, number];
export type IntPoint = readonly [number, number];

/** An 8-bit HWC RGB picture drawn on in place. */
export interface Canvas {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const XY_SHIFT = 16;
const XY_ONE = 65536;
const HALF = XY_ONE / 2;

/** `v >> bits` on an integer that may not fit 32 bits (arithmetic shift: floors). */
function shiftRight(v: number, bits: number): number {
  return Math.floor(v / 2 ** bits);
}

/** OpenCV's table of sin(0°..450°): 7-decimal float literals, which round-trip through toFixed(7). */
const SIN_TABLE = Float32Array.from({ length: 451 }, (_, degrees) => Number(Math.sin((degrees * Math.PI) / 180).toFixed(7)));

function horizontalLine(canvas: Canvas, y: number, x1: number, x2: number, [r, g, b]: Rgb): void {
  const { data, width } = canvas;
  for (let x = x1, at = (y * width + x1) * 3; x <= x2; x++, at += 3) {
    data[at] = r;
    data[at + 1] = g;
    data[at + 2] = b;
  }
}

function putPixel(canvas: Canvas, x: number, y: number, color: Rgb): void {
  if (x >= 0 && x < canvas.width && y >= 0 && y < canvas.height) horizontalLine(canvas, y, x, x, color);
}

/** cv::clipLine on a right × bottom box (inclusive): the segment's part inside, or null. BigInt: 16.16 products overflow doubles. */
function clipLine(width: number, height: number, a: IntPoint, b: IntPoint): [IntPoint, IntPoint] | null {
  if (width <= 0 || height <= 0) return null;
  const right = BigInt(width - 1);
  const bottom = BigInt(height - 1);
  let [x1, y1, x2, y2] = [BigInt(a[0]), BigInt(a[1]), BigInt(b[0]), BigInt(b[1])];
  const code = (x: bigint, y: bigint): number => (x < 0n ? 1 : 0) + (x > right ? 2 : 0) + (y < 0n ? 4 : 0) + (y > bottom ? 8 : 0);
  let c1 = code(x1, y1);
  let c2 = code(x2, y2);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const edge = c1 < 8 ? 0n : bottom;
      x1 += ((edge - y1) * (x2 - x1)) / (y2 - y1);
      y1 = edge;
      c1 = (x1 < 0n ? 1 : 0) + (x1 > right ? 2 : 0);
    }
    if (c2 & 12) {
      const edge = c2 < 8 ? 0n : bottom;
      x2 += ((edge - y2) * (x2 - x1)) / (y2 - y1);
      y2 = edge;
      c2 = (x2 < 0n ? 1 : 0) + (x2 > right ? 2 : 0);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const edge = c1 === 1 ? 0n : right;
        y1 += ((edge - x1) * (y2 - y1)) / (x2 - x1);
        x1 = edge;
        c1 = 0;
      }
      if (c2) {
        const edge = c2 === 1 ? 0n : right;
        y2 += ((edge - x2) * (y2 - y1)) / (x2 - x1);
        x2 = edge;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) === 0 ? [[Number(x1), Number(y1)], [Number(x2), Number(y2)]] : null;
}

/** A 1-pixel 8-connected line between integer points (OpenCV's LineIterator, left to right). */
function bresenhamLine(canvas: Canvas, from: IntPoint, to: IntPoint, color: Rgb): void {
  const { width, height } = canvas;
  let a = from;
  let b = to;
  const outside = (p: IntPoint): boolean => p[0] < 0 || p[0] >= width || p[1] < 0 || p[1] >= height;
  if (outside(a) || outside(b)) {
    const clipped = clipLine(width, height, a, b);
    if (!clipped) return;
    [a, b] = clipped;
  }
  let dx = b[0] - a[0];
  let dy = b[1] - a[1];
  let [x, y] = a;
  if (dx < 0) {
    dx = -dx;
    dy = -dy;
    [x, y] = b;
  }
  const stepY = dy < 0 ? -1 : 1;
  dy = Math.abs(dy);
  const vertical = dy > dx;
  const major = vertical ? dy : dx;
  const minor = vertical ? dx : dy;
  let err = major - 2 * minor;
  for (let i = 0; i <= major; i++) {
    horizontalLine(canvas, y, x, x, color);
    const minorStep = err < 0;
    err += -2 * minor + (minorStep ? 2 * major : 0);
    if (vertical) {
      y += stepY;
      if (minorStep) x += 1;
    } else {
      x += 1;
      if (minorStep) y += stepY;
    }
  }
}

/** OpenCV's Line2: a 1-pixel line between 16.16 fixed-point points, the outline of a sub-pixel polygon. */
function fixedPointLine(canvas: Canvas, from: IntPoint, to: IntPoint, color: Rgb): void {
  const clipped = clipLine(canvas.width * XY_ONE, canvas.height * XY_ONE, from, to);
  if (!clipped) return;
  let [[x1, y1], [x2, y2]] = clipped;
  const ax = Math.abs(x2 - x1);
  const ay = Math.abs(y2 - y1);
  const odd = (v: number): number => (v % 2 === 0 ? v + 1 : v);
  let xStep: number;
  let yStep: number;
  let count: number;
  if (ax > ay) {
    if (x2 < x1) [x1, y1, x2, y2] = [x2, y2, x1, y1];
    xStep = XY_ONE;
    yStep = Math.trunc(((y2 - y1) * XY_ONE) / odd(ax));
    count = shiftRight(x2 - x1, XY_SHIFT);
  } else {
    if (y2 < y1) [x1, y1, x2, y2] = [x2, y2, x1, y1];
    xStep = Math.trunc(((x2 - x1) * XY_ONE) / odd(ay));
    yStep = XY_ONE;
    count = shiftRight(y2 - y1, XY_SHIFT);
  }
  x1 += HALF;
  y1 += HALF;
  putPixel(canvas, shiftRight(x2 + HALF, XY_SHIFT), shiftRight(y2 + HALF, XY_SHIFT), color);
  if (ax > ay) {
    let x = shiftRight(x1, XY_SHIFT);
    for (; count >= 0; count--, x++, y1 += yStep) putPixel(canvas, x, shiftRight(y1, XY_SHIFT), color);
  } else {
    let y = shiftRight(y1, XY_SHIFT);
    for (; count >= 0; count--, y++, x1 += xStep) putPixel(canvas, shiftRight(x1, XY_SHIFT), y, color);
  }
}

/** cv2.fillConvexPoly(canvas, points, color) with LINE_8; `shift` 0 for integer points, 16 for 16.16 fixed point. */
export function fillConvexPoly(canvas: Canvas, points: readonly IntPoint[], color: Rgb, shift: 0 | 16 = 0): void {
  const n = points.length;
  if (n === 0) return;
  const toFixed = 2 ** (XY_SHIFT - shift);
  const delta = shift === 0 ? 0 : 1 << (shift - 1);
  let previous: IntPoint = [points[n - 1]![0] * toFixed, points[n - 1]![1] * toFixed];
  let [xmin, ymin] = points[0]!;
  let [xmax, ymax] = points[0]!;
  let top = 0;
  for (let i = 0; i < n; i++) {
    const [px, py] = points[i]!;
    if (py < ymin) {
      ymin = py;
      top = i;
    }
    ymax = Math.max(ymax, py);
    xmax = Math.max(xmax, px);
    xmin = Math.min(xmin, px);
    const current: IntPoint = [px * toFixed, py * toFixed];
    if (shift === 0) bresenhamLine(canvas, [shiftRight(previous[0], XY_SHIFT), shiftRight(previous[1], XY_SHIFT)], [px, py], color);
    else fixedPointLine(canvas, previous, current, color);
    previous = current;
  }
  xmin = shiftRight(xmin + delta, shift);
  xmax = shiftRight(xmax + delta, shift);
  ymin = shiftRight(ymin + delta, shift);
  ymax = shiftRight(ymax + delta, shift);
  if (n < 3 || xmax < 0 || ymax < 0 || xmin >= canvas.width || ymin >= canvas.height) return;
  ymax = Math.min(ymax, canvas.height - 1);
  // Two chains walk down from the top vertex, one each way round the polygon; each row is filled between them.
  const chains = [
    { index: top, step: 1, x: -XY_ONE, dx: 0, endY: ymin },
    { index: top, step: n - 1, x: -XY_ONE, dx: 0, endY: ymin },
  ];
  let edgesLeft = n;
  let y = ymin;
  do {
    for (const chain of chains) {
      if (y < chain.endY) continue;
      let from = chain.index;
      let to = (from + chain.step) % n;
      for (;;) {
        const more = edgesLeft > 0;
        edgesLeft--;
        if (!more) break;
        const endY = shiftRight(points[to]![1] + delta, shift);
        if (endY > y) {
          const xs = points[from]![0] * toFixed;
          const xe = points[to]![0] * toFixed;
          chain.endY = endY;
          chain.dx = Math.trunc(((xe - xs) * 2 + (endY - y)) / (2 * (endY - y)));
          chain.x = xs;
          chain.index = to;
          break;
        }
        from = to;
        to = (to + chain.step) % n;
      }
    }
    if (edgesLeft < 0) break;
    if (y >= 0) {
      const [left, right] = chains[0]!.x > chains[1]!.x ? [chains[1]!, chains[0]!] : [chains[0]!, chains[1]!];
      let x1 = shiftRight(left.x + HALF, XY_SHIFT);
      let x2 = shiftRight(right.x + HALF, XY_SHIFT);
      if (x2 >= 0 && x1 < canvas.width) {
        x1 = Math.max(x1, 0);
        x2 = Math.min(x2, canvas.width - 1);
        horizontalLine(canvas, y, x1, x2, color);
      }
    }
    chains[0]!.x += chains[0]!.dx;
    chains[1]!.x += chains[1]!.dx;
  } while (++y <= ymax);
}

/** cv2.circle(canvas, center, radius, color, thickness=-1): OpenCV's midpoint filled circle, clipped. */
export function fillCircle(canvas: Canvas, [cx, cy]: IntPoint, radius: number, color: Rgb): void {
  const { width, height } = canvas;
  const row = (y: number, x1: number, x2: number): void => {
    if (y < 0 || y >= height) return;
    const left = Math.max(x1, 0);
    const right = Math.min(x2, width - 1);
    if (left <= right) horizontalLine(canvas, y, left, right, color);
  };
  let err = 0;
  let dx = radius;
  let dy = 0;
  let plus = 1;
  let minus = 2 * radius - 1;
  while (dx >= dy) {
    if (cx - dx < width && cx + dx >= 0 && cy - dx < height && cy + dx >= 0) {
      row(cy - dy, cx - dx, cx + dx);
      row(cy + dy, cx - dx, cx + dx);
      if (cx - dy < width && cx + dy >= 0) {
        row(cy - dx, cx - dy, cx + dy);
        row(cy + dx, cx - dy, cx + dy);
      }
    }
    dy++;
    err += plus;
    plus += 2;
    if (err > 0) {
      err -= minus;
      dx -= 1;
      minus -= 2;
    }
  }
}

/** cv2.line(canvas, p0, p1, color, thickness) for thickness ≥ 2 (LINE_8): a 16.16 quadrilateral and a round cap at each end. */
export function thickLine(canvas: Canvas, p0: IntPoint, p1: IntPoint, color: Rgb, thickness: number): void {
  const a: IntPoint = [p0[0] * XY_ONE, p0[1] * XY_ONE];
  const b: IntPoint = [p1[0] * XY_ONE, p1[1] * XY_ONE];
  const dx = (a[0] - b[0]) / XY_ONE;
  const dy = (b[1] - a[1]) / XY_ONE;
  const lengthSquared = dx * dx + dy * dy;
  const halfWidth = thickness * (XY_ONE / 2);
  if (Math.abs(lengthSquared) > Number.EPSILON) {
    const r = (halfWidth + (thickness & 1) * XY_ONE * 0.5) / Math.sqrt(lengthSquared);
    const ox = roundHalfEven(dy * r);
    const oy = roundHalfEven(dx * r);
    const quad: IntPoint[] = [
      [a[0] + ox, a[1] + oy],
      [a[0] - ox, a[1] - oy],
      [b[0] - ox, b[1] - oy],
      [b[0] + ox, b[1] + oy],
    ];
    fillConvexPoly(canvas, quad, color, 16);
  }
  const capRadius = shiftRight(halfWidth + HALF, XY_SHIFT);
  for (const end of [a, b]) fillCircle(canvas, [shiftRight(end[0] + HALF, XY_SHIFT), shiftRight(end[1] + HALF, XY_SHIFT)], capRadius, color);
}

/** cv2.ellipse2Poly(center, axes, angle, arcStart, arcEnd, delta): integer polygon points, repeats dropped. */
export function ellipse2Poly(center: IntPoint, axes: IntPoint, angle: number, arcStart: number, arcEnd: number, delta: number): IntPoint[] {
  let rotation = angle;
  while (rotation < 0) rotation += 360;
  while (rotation > 360) rotation -= 360;
  let [start, end] = arcStart > arcEnd ? [arcEnd, arcStart] : [arcStart, arcEnd];
  while (start < 0) {
    start += 360;
    end += 360;
  }
  while (end > 360) {
    end -= 360;
    start -= 360;
  }
  if (end - start > 360) [start, end] = [0, 360];
  const sine = SIN_TABLE[rotation]!;
  const cosine = SIN_TABLE[450 - rotation]!;
  const points: IntPoint[] = [];
  for (let i = start; i < end + delta; i += delta) {
    let at = Math.min(i, end);
    if (at < 0) at += 360;
    const x = axes[0] * SIN_TABLE[450 - at]!;
    const y = axes[1] * SIN_TABLE[at]!;
    const point: IntPoint = [roundHalfEven(center[0] + x * cosine - y * sine), roundHalfEven(center[1] + x * sine + y * cosine)];
    const last = points[points.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) points.push(point);
  }
  return points.length === 1 ? [center, center] : points;
}
