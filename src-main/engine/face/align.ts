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

/** `face_align.estimate_norm(landmarks, size)`. */
export function estimateNorm(landmarks: readonly (readonly [number, number])[], size: number): AffineMatrix {
  if (landmarks.length !== 5) throw new RangeError(`norm_crop needs 5 landmarks, got ${landmarks.length}`);
  return estimateSimilarity(landmarks, alignmentTemplate(size));
}

/** `face_align.norm_crop(image, landmarks, size)`: the aligned size×size face crop and the matrix used. */
export function normCrop(image: RgbImage, landmarks: readonly (readonly [number, number])[], size = 112): { crop: RgbImage; matrix: AffineMatrix } {
  const matrix = estimateNorm(landmarks, size);
  return { crop: warpAffineU8(image, matrix, size), matrix };
}
