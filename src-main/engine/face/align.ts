// insightface `face_align.norm_crop` (spec §2.4): least-squares similarity (Umeyama, closed form) from the 5 landmarks
// to the ArcFace template scaled for the crop size, then OpenCV's uint8 affine warp with a black border.
import type { RgbImage } from './image.ts';
import { warpAffineU8, type AffineMatrix } from './opencv-kernels.ts';

/** ArcFace 112×112 template: left eye, right eye, nose tip, left mouth corner, right mouth corner. */
export const ARCFACE_TEMPLATE_112: readonly (readonly [number, number])[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** The template for a crop of `size` pixels: ×size/112 when size%112 == 0, else ×size/128 with x shifted by 8·ratio. */
export function alignmentTemplate(size: number): [number, number][] {
  let ratio: number;
  let shiftX: number;
  if (size % 112 === 0) {
    ratio = size / 112;
    shiftX = 0;
  } else if (size % 128 === 0) {
    ratio = size / 128;
    shiftX = 8 * ratio;
  } else {
    throw new RangeError(`norm_crop size must be a multiple of 112 or 128, got ${size}`);
  }
  // insightface's template is a float32 array, and so is the scaled copy.
  return ARCFACE_TEMPLATE_112.map(([x, y]) => [Math.fround(Math.fround(Math.fround(x) * ratio) + shiftX), Math.fround(Math.fround(y) * ratio)]);
}

/**
 * Similarity transform (rotation + uniform scale + translation) minimising Σ‖M·p − q‖², in float64 (closed form of
 * Umeyama for 2-D). Returns M mapping image pixels → crop pixels.
 */
export function estimateSimilarity(points: readonly (readonly [number, number])[], targets: readonly (readonly [number, number])[]): AffineMatrix {
  const n = points.length;
  let px = 0, py = 0, qx = 0, qy = 0;
  for (let i = 0; i < n; i++) {
    px += points[i]![0];
    py += points[i]![1];
    qx += targets[i]![0];
    qy += targets[i]![1];
  }
  px /= n;
  py /= n;
  qx /= n;
  qy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ax = points[i]![0] - px;
    const ay = points[i]![1] - py;
    const bx = targets[i]![0] - qx;
    const by = targets[i]![1] - qy;
    dot += ax * bx + ay * by;
    cross += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  const a = norm > 0 ? dot / norm : 0;
  const b = norm > 0 ? cross / norm : 0;
  return [a, -b, qx - (a * px - b * py), b, a, qy - (b * px + a * py)];
}

const f32 = Math.fround;
const FLOAT32_EPSILON = 2 ** -23;

/**
 * The similarity transform exactly as insightface gets it: scikit-image 0.19 `_umeyama` on float32 points.
 * Means, centring, the cross-covariance A (numpy matmul → sgemm, fused multiply-add accumulation) and the
 * variances are float32; numpy's SVD runs in float64 and returns float32 U, S, Vᵀ; the rest is float64. A 2×2 SVD
 * has a closed form, and R = U·diag(d)·Vᵀ does not depend on the singular vectors' signs, so this reproduces
 * skimage's matrix to ~1e-14 (and insightface's crops bit for bit), where the float64 closed form is 1e-4 off.
 */
export function estimateSimilarityFloat32(points: readonly (readonly [number, number])[], targets: readonly (readonly [number, number])[]): AffineMatrix {
  const n = points.length;
  const mean = (p: readonly (readonly number[])[], k: number): number => {
    let sum = p[0]![k]!;
    for (let i = 1; i < n; i++) sum = f32(sum + p[i]![k]!);
    return f32(sum / n);
  };
  const srcMean = [mean(points, 0), mean(points, 1)] as const;
  const dstMean = [mean(targets, 0), mean(targets, 1)] as const;
  const src = points.map((p) => [f32(p[0] - srcMean[0]), f32(p[1] - srcMean[1])] as const);
  const dst = targets.map((p) => [f32(p[0] - dstMean[0]), f32(p[1] - dstMean[1])] as const);
  const cov = (i: number, j: number): number => {
    let sum = 0;
    for (let k = 0; k < n; k++) sum = f32(sum + dst[k]![i]! * src[k]![j]!);
    return f32(sum / n);
  };
  const [a, b, c, d] = [cov(0, 0), cov(0, 1), cov(1, 0), cov(1, 1)];
  // A = U·diag(s1, s2)·Vᵀ with U = rot(φ), Vᵀ = rot(θ); a negative s2 moves its sign into Vᵀ's second row.
  const e = (a + d) / 2, f = (a - d) / 2, g = (c + b) / 2, h = (c - b) / 2;
  const q = Math.hypot(e, h), r = Math.hypot(f, g);
  const alpha = Math.atan2(g, f), beta = Math.atan2(h, e);
  const phi = (beta + alpha) / 2, theta = (beta - alpha) / 2;
  const u = [f32(Math.cos(phi)), f32(-Math.sin(phi)), f32(Math.sin(phi)), f32(Math.cos(phi))];
  const flip = q - r < 0 ? -1 : 1;
  const vt = [f32(Math.cos(theta)), f32(-Math.sin(theta)), f32(flip * Math.sin(theta)), f32(flip * Math.cos(theta))];
  const s1 = f32(q + r), s2 = f32(Math.abs(q - r));
  const det = a * d - b * c;
  const sign = [1, det < 0 ? -1 : 1];
  if (s1 === 0) return estimateSimilarity(points, targets);
  // numpy matrix_rank on the float32 A: rank 1 when s2 ≤ s1·2·eps32; then skimage uses U·Vᵀ when det(U)det(Vᵀ) > 0.
  if (s2 <= s1 * 2 * FLOAT32_EPSILON) sign[1] = flip > 0 ? 1 : -1;
  const rot = [
    u[0]! * sign[0]! * vt[0]! + u[1]! * sign[1]! * vt[2]!,
    u[0]! * sign[0]! * vt[1]! + u[1]! * sign[1]! * vt[3]!,
    u[2]! * sign[0]! * vt[0]! + u[3]! * sign[1]! * vt[2]!,
    u[2]! * sign[0]! * vt[1]! + u[3]! * sign[1]! * vt[3]!,
  ] as const;
  let variance = 0;
  for (let k = 0; k < 2; k++) {
    const mu = mean(src, k);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const dev = f32(src[i]![k]! - mu);
      sum = i === 0 ? f32(dev * dev) : f32(sum + f32(dev * dev));
    }
    variance = k === 0 ? f32(sum / n) : f32(variance + f32(sum / n));
  }
  const scale = (1 / variance) * (s1 * sign[0]! + s2 * sign[1]!);
  const tx = dstMean[0] - scale * (rot[0] * srcMean[0] + rot[1] * srcMean[1]);
  const ty = dstMean[1] - scale * (rot[2] * srcMean[0] + rot[3] * srcMean[1]);
  return [rot[0] * scale, rot[1] * scale, tx, rot[2] * scale, rot[3] * scale, ty];
}

/** `face_align.estimate_norm(landmarks, size)`, as insightface computes it (float32 skimage) unless `float64` is asked. */
export function estimateNorm(landmarks: readonly (readonly [number, number])[], size: number, precision: 'insightface' | 'float64' = 'insightface'): AffineMatrix {
  if (landmarks.length !== 5) throw new RangeError(`norm_crop needs 5 landmarks, got ${landmarks.length}`);
  const points = landmarks.map(([x, y]) => [f32(x), f32(y)] as const);
  const template = alignmentTemplate(size);
  return precision === 'float64' ? estimateSimilarity(points, template) : estimateSimilarityFloat32(points, template);
}

/** `face_align.norm_crop(image, landmarks, size)`: the aligned size×size face crop and the matrix used. */
export function normCrop(image: RgbImage, landmarks: readonly (readonly [number, number])[], size = 112): { crop: RgbImage; matrix: AffineMatrix } {
  const matrix = estimateNorm(landmarks, size);
  return { crop: warpAffineU8(image, matrix, size), matrix };
}
