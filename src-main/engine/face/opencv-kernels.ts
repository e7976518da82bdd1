// Bit-exact ports of the two OpenCV 4.6 uint8 kernels insightface relies on, so our letterbox and aligned crops
// equal insightface's pixel for pixel (recipes: ../shared/fixtures/face/reference/cv_emulation.py).
// Both kernels work per channel and do not care whether the channels are RGB or BGR.
import { rgbImage, type RgbImage } from './image.ts';

interface AxisCoefficients {
  readonly index0: Int32Array;
  readonly index1: Int32Array;
  readonly weight0: Int32Array;
  readonly weight1: Int32Array;
}

// OpenCV resize setup: f = float32((d+0.5)·scale − 0.5), s = floor(f), f −= s; 11-bit weights rint(·2048).
// The x axis clamps (s<0 → 0, s ≥ size−1 → size−1, weight on one tap); the y axis keeps weights and clips row indices.
function resizeCoefficients(sourceSize: number, targetSize: number, clampWeights: boolean): AxisCoefficients {
  const scale = sourceSize / targetSize;
  const index0 = new Int32Array(targetSize);
  const index1 = new Int32Array(targetSize);
  const weight0 = new Int32Array(targetSize);
  const weight1 = new Int32Array(targetSize);
  for (let d = 0; d < targetSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampWeights) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s >= sourceSize - 1) {
        f = 0;
        s = sourceSize - 1;
      }
    }
    weight1[d] = roundHalfEven(Math.fround(f * 2048));
    weight0[d] = roundHalfEven(Math.fround(Math.fround(1 - f) * 2048));
    index0[d] = Math.min(Math.max(s, 0), sourceSize - 1);
    index1[d] = Math.min(Math.max(s + 1, 0), sourceSize - 1);
  }
  return { index0, index1, weight0, weight1 };
}

/** numpy/OpenCV rint: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** cv2.resize(img, (width, height)) with the default INTER_LINEAR on uint8 (fixed point, bit-exact). */
export function resizeBilinearU8(image: RgbImage, width: number, height: number): RgbImage {
  const x = resizeCoefficients(image.width, width, true);
  const y = resizeCoefficients(image.height, height, false);
  const src = image.data;
  // Horizontal pass, scaled by 2048 (fits in int32: 255·2048 < 2^20).
  const rows = new Int32Array(image.height * width * 3);
  for (let r = 0; r < image.height; r++) {
    const rowBase = r * image.width * 3;
    const outBase = r * width * 3;
    for (let c = 0; c < width; c++) {
      const p0 = rowBase + x.index0[c]! * 3;
      const p1 = rowBase + x.index1[c]! * 3;
      const a0 = x.weight0[c]!;
      const a1 = x.weight1[c]!;
      for (let k = 0; k < 3; k++) rows[outBase + c * 3 + k] = src[p0 + k]! * a0 + src[p1 + k]! * a1;
    }
  }
  // Vertical pass as OpenCV's VResizeLinear<uchar>: (((b0·(S0>>4))>>16) + ((b1·(S1>>4))>>16) + 2) >> 2.
  // b·(S>>4) < 2048·2^16 = 2^27, so int32 arithmetic is exact.
  const out = new Uint8Array(width * height * 3);
  const rowLength = width * 3;
  for (let r = 0; r < height; r++) {
    const s0 = y.index0[r]! * rowLength;
    const s1 = y.index1[r]! * rowLength;
    const b0 = y.weight0[r]!;
    const b1 = y.weight1[r]!;
    const outBase = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const v = (((b0 * (rows[s0 + i]! >> 4)) >> 16) + ((b1 * (rows[s1 + i]! >> 4)) >> 16) + 2) >> 2;
      out[outBase + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return rgbImage(width, height, out);
}

/** A 2×3 affine matrix, row-major [m00, m01, m02, m10, m11, m12], mapping source → destination pixels. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/**
 * cv2.warpAffine(img, M, (size, size), borderValue=0) on uint8: M is inverted in double, source coordinates are
 * 1/32-pixel fixed point, bilinear weights have 15 bits, and taps outside the image count as black.
 */
export function warpAffineU8(image: RgbImage, matrix: AffineMatrix, width: number, height: number = width): RgbImage {
  const [a, b, c, d, e, f] = matrix;
  const det = a * e - b * d;
  const inv = det !== 0 ? 1 / det : 0;
  const m0 = e * inv;
  const m1 = -b * inv;
  const m3 = -d * inv;
  const m4 = a * inv;
  const m2 = -m0 * c - m1 * f;
  const m5 = -m3 * c - m4 * f;
  const W = image.width;
  const H = image.height;
  const src = image.data;
  const out = new Uint8Array(width * height * 3);
  const adelta = new Float64Array(width);
  const bdelta = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = roundHalfEven(m0 * x * 1024);
    bdelta[x] = roundHalfEven(m3 * x * 1024);
  }
  const tap = (sy: number, sx: number, k: number): number => (sx >= 0 && sx < W && sy >= 0 && sy < H ? src[(sy * W + sx) * 3 + k]! : 0);
  for (let y = 0; y < height; y++) {
    const x0 = roundHalfEven((m1 * y + m2) * 1024) + 16;
    const y0 = roundHalfEven((m4 * y + m5) * 1024) + 16;
    for (let x = 0; x < width; x++) {
      const X = Math.floor((x0 + adelta[x]!) / 32);
      const Y = Math.floor((y0 + bdelta[x]!) / 32);
      const sx = Math.floor(X / 32);
      const sy = Math.floor(Y / 32);
      const ax = X - sx * 32;
      const ay = Y - sy * 32;
      const w00 = (32 - ax) * (32 - ay) * 32;
      const w01 = ax * (32 - ay) * 32;
      const w10 = (32 - ax) * ay * 32;
      const w11 = ax * ay * 32;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const acc = tap(sy, sx, k) * w00 + tap(sy, sx + 1, k) * w01 + tap(sy + 1, sx, k) * w10 + tap(sy + 1, sx + 1, k) * w11;
        const v = (acc + 16384) >> 15;
        out[o + k] = v > 255 ? 255 : v;
      }
    }
  }
  return rgbImage(width, height, out);
}
