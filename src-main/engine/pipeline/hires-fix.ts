// A1111's hires fix between its two passes: the first pass's result brought to the target size, as the second
// (img2img) pass's start. Latent upscalers resize the latents themselves (torch F.interpolate, no antialias, as
// A1111's latent_upscale_modes); Lanczos decodes to 8-bit pixels, resizes the picture and lets the VAE encode it again.
import sharp from 'sharp';
import type { HiresUpscaler } from '../../../src-preload/contract/generation.ts';
import type { DiffusionInit, DiffusionResult } from './diffuse.ts';
import { rgbToTensor, unitHwcToRgb } from './image-tensors.ts';
import { upscaleLatents, type LatentUpscaleMode } from './latent-upscale.ts';

const LATENT_CHANNELS = 4;

/** A1111's latent upscaler names → F.interpolate modes (A1111's plain "Latent" is bilinear). */
const LATENT_MODES: Readonly<Record<Exclude<HiresUpscaler, 'Lanczos'>, LatentUpscaleMode>> = {
  Latent: 'bilinear',
  'Latent (bicubic)': 'bicubic',
  'Latent (nearest)': 'nearest',
  'Latent (nearest-exact)': 'nearest-exact',
};

/**
 * The second pass's schedule length. A1111 runs exactly the hires steps asked for (its img2img "fixed steps": a
 * schedule of steps ÷ denoise, entered at the denoise); here the smallest schedule whose img2img slice (diffusers'
 * floor(T · strength)) holds that many steps.
 */
export function hiresScheduleSteps(runSteps: number, denoise: number): number {
  // Denoise 0 repaints nothing; the pass then refuses with its own message.
  if (denoise <= 0) return runSteps;
  let total = Math.max(runSteps, Math.floor(runSteps / Math.min(denoise, 0.999)));
  while (Math.min(Math.floor(total * denoise), total) < runSteps) total++;
  return total;
}

interface Size {
  readonly width: number;
  readonly height: number;
}

/** The second pass's start from the first pass's latents (latent upscalers) or images (Lanczos). */
export async function hiresInit(first: DiffusionResult, from: Size, to: Size, upscaler: HiresUpscaler, strength: number): Promise<DiffusionInit> {
  if (upscaler === 'Lanczos') {
    const images = await Promise.all(
      first.images.map(async (hwc) => {
        const rgb = await sharp(Buffer.from(unitHwcToRgb(hwc)), { raw: { width: from.width, height: from.height, channels: 3 } })
          .resize(to.width, to.height, { kernel: 'lanczos3', fit: 'fill' })
          .raw()
          .toBuffer();
        return rgbToTensor(new Uint8Array(rgb), to.height, to.width);
      }),
    );
    return { images, strength };
  }
  const mode = LATENT_MODES[upscaler];
  const shape = { channels: LATENT_CHANNELS, height: from.height / 8, width: from.width / 8 };
  const latents = first.latents.map((latent) => upscaleLatents(latent, shape, to.height / 8, to.width / 8, mode));
  return { latents, strength };
}
