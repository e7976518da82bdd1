// The face detail pass on one finished picture: detect the faces, and for each chosen one cut out its padded square,
// scale it to the size the model paints best at, let `repaint` inpaint it (the caller's diffusion with the job's
// prompt and FaceID conditioning), scale the result back and blend it in through the feathered ellipse. Faces are
// done one after another, each cut from the picture as the earlier ones left it.
import sharp from 'sharp';
import { throwIfCancelled } from '../../base/errors.ts';
import type { FaceDetail } from '../../../src-preload/contract/generation.ts';
import type { Detection } from '../face/detect.ts';
import { chooseFaces, faceRegion, regionMask, type FaceRegion } from '../face/face-region.ts';
import { rgbImage, type RgbImage } from '../face/image.ts';
import { rgbToTensor, unitHwcToRgb } from './image-tensors.ts';

export interface Picture {
  /** HWC RGB in [0, 1]. */
  readonly hwc: Float32Array;
  readonly width: number;
  readonly height: number;
}

export type FaceDetector = (image: RgbImage, signal?: AbortSignal) => Promise<readonly Detection[]>;

/** Inpaints one face square: the crop (NCHW [1, 3, size, size] in [−1, 1]) where the mask (size², 1 = repaint) says; returns HWC [0, 1]. */
export type FaceRepainter = (crop: Float32Array, mask: Float32Array, face: number) => Promise<Float32Array>;

export interface FaceDetailWork {
  /** Side of the square the repaint runs at. */
  readonly size: number;
  readonly detect: FaceDetector;
  readonly repaint: FaceRepainter;
  readonly signal?: AbortSignal;
}

export interface FaceDetailOutcome {
  readonly picture: Picture;
  /** The faces repainted, with where each was cut out. */
  readonly regions: readonly FaceRegion[];
  /** Why nothing was repainted (no face, too small, no such face). */
  readonly skipped?: string;
}

/** The square `region` of the 8-bit picture, resized to size × size, as the VAE's input. */
async function cropTensor(rgb: Uint8Array, picture: Picture, region: FaceRegion, size: number): Promise<Float32Array> {
  const pixels = await sharp(Buffer.from(rgb), { raw: { width: picture.width, height: picture.height, channels: 3 } })
    .extract({ left: region.left, top: region.top, width: region.side, height: region.side })
    .resize(size, size, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return rgbToTensor(new Uint8Array(pixels), size, size);
}

/** The repainted square (HWC [0, 1], size²) brought back to the region's side, as HWC [0, 1]. */
async function backToRegion(repainted: Float32Array, size: number, side: number): Promise<Float32Array> {
  const pixels = await sharp(Buffer.from(unitHwcToRgb(repainted)), { raw: { width: size, height: size, channels: 3 } })
    .resize(side, side, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return Float32Array.from(pixels, (v) => v / 255);
}

/** out = in·(1 − m) + repaint·m where the mask is above 0; every other pixel is left as it is. */
function blendInto(target: Float32Array, width: number, region: FaceRegion, patch: Float32Array, mask: Float32Array): void {
  const { left, top, side } = region;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const m = mask[j * side + i]!;
      if (m <= 0) continue;
      const at = ((top + j) * width + left + i) * 3;
      for (let c = 0; c < 3; c++) target[at + c] = target[at + c]! * (1 - m) + patch[(j * side + i) * 3 + c]! * m;
    }
  }
}

export async function faceDetailPass(picture: Picture, detail: FaceDetail, work: FaceDetailWork): Promise<FaceDetailOutcome> {
  const detections = await work.detect(rgbImage(picture.width, picture.height, unitHwcToRgb(picture.hwc)), work.signal);
  const { faces, skipped } = chooseFaces(detections, detail.faces, detail.minSize);
  if (skipped !== undefined) return { picture, regions: [], skipped };
  const hwc = picture.hwc.slice();
  const regions: FaceRegion[] = [];
  for (const [index, face] of faces.entries()) {
    throwIfCancelled(work.signal);
    const region = faceRegion(face, picture.width, picture.height, detail.padding);
    const current = { ...picture, hwc };
    const crop = await cropTensor(unitHwcToRgb(hwc), current, region, work.size);
    const repainted = await work.repaint(crop, regionMask(region, detail.feather, work.size), index);
    blendInto(hwc, picture.width, region, await backToRegion(repainted, work.size, region.side), regionMask(region, detail.feather, region.side));
    regions.push(region);
  }
  return { picture: { ...picture, hwc }, regions };
}
