// CLIP pixel values for FaceID-Plus/PlusV2 (spec §3, §14): the 224 norm_crop goes through CLIPImageProcessor()
// defaults, where resize and centre crop are no-ops at 224, leaving x·(1/255) (float64 → float32) then (x − mean)/std.
import type { RgbImage } from './image.ts';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
export const CLIP_IMAGE_SIZE = 224;

/**
 * Which channel order CLIP sees. 'bgr-official': the official IP-Adapter snippet passes insightface's BGR crop
 * (channel 0 = blue, the "blue hair" issue IPA#430) — the default, because the checkpoints' published results were
 * made that way. 'rgb': what ComfyUI does.
 */
export type ClipChannelOrder = 'bgr-official' | 'rgb';

/** [1,3,224,224] float32 CLIP input from a 224×224 RGB crop. */
export function clipPixelValues(crop: RgbImage, order: ClipChannelOrder = 'bgr-official'): Float32Array {
  if (crop.width !== CLIP_IMAGE_SIZE || crop.height !== CLIP_IMAGE_SIZE) {
    throw new RangeError(`CLIP face crops are ${CLIP_IMAGE_SIZE}×${CLIP_IMAGE_SIZE}, got ${crop.width}×${crop.height}`);
  }
  const plane = CLIP_IMAGE_SIZE * CLIP_IMAGE_SIZE;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = order === 'rgb' ? c : 2 - c;
    const mean = Math.fround(CLIP_MEAN[c]!);
    const std = Math.fround(CLIP_STD[c]!);
    for (let i = 0; i < plane; i++) {
      const rescaled = Math.fround(crop.data[i * 3 + source]! * (1 / 255));
      out[c * plane + i] = Math.fround(Math.fround(rescaled - mean) / std);
    }
  }
  return out;
}
