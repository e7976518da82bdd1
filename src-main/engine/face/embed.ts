// ArcFace w600k_r50 (spec §2.5): 112×112 aligned crop → RGB (p − 127.5)·(1/127.5) NCHW → 512 values → L2-normalised.
import type { RgbImage } from './image.ts';

const ARCFACE_SCALE = Math.fround(1 / 127.5);

/** cv2.dnn.blobFromImages(crop, 1/127.5, (112,112), 127.5, swapRB=True) on an RGB crop, float32 like OpenCV. */
export function arcfaceBlob(crops: readonly RgbImage[]): Float32Array {
  const first = crops[0];
  if (!first) throw new RangeError('arcfaceBlob needs at least one crop');
  const plane = first.width * first.height;
  const blob = new Float32Array(crops.length * 3 * plane);
  crops.forEach((crop, n) => {
    if (crop.width !== first.width || crop.height !== first.height) throw new RangeError('ArcFace crops must share one size');
    const base = n * 3 * plane;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) blob[base + c * plane + i] = Math.fround((crop.data[i * 3 + c]! - 127.5) * ARCFACE_SCALE);
    }
  });
  return blob;
}

/** e / ‖e‖₂ (insightface `normed_embedding`); a zero vector stays zero. */
export function l2Normalize(values: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(values.length);
  if (norm > 0) for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return out;
}
