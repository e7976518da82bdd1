// Which TAESD decoder previews a job: TAESD (SD1.5) and TAESDXL have the same shapes, so, as ComfyUI does in its
// vae_approx folder, the file name tells them apart (taesdxl_decoder… for SDXL, taesd_decoder… for SD1.5). A job whose
// checkpoint base has none keeps the latent → RGB previews.
import path from 'node:path';
import type { Model, ModelBase } from '../../src-preload/contract/models.ts';

const NAMED_FOR: Readonly<Record<ModelBase, (name: string) => boolean>> = {
  sdxl: (name) => /taesdxl/iu.test(name),
  sd15: (name) => /taesd(?!xl)/iu.test(name),
};

export function previewDecoderFor(checkpoint: string, models: readonly Pick<Model, 'path' | 'kind' | 'base'>[]): string | undefined {
  const base = models.find((m) => m.kind === 'checkpoint' && path.resolve(m.path) === path.resolve(checkpoint))?.base;
  if (base === null || base === undefined) return undefined;
  // A diffusers AutoencoderTiny is found as its weights file: its folder carries the name.
  return models.find((m) => m.kind === 'taesd' && NAMED_FOR[base](path.relative(path.dirname(path.dirname(m.path)), m.path)))?.path;
}
