// The model files a job uses besides its checkpoint, picked from the models found by content: the annotators its
// preprocessors need, and which TAESD decoder previews it: TAESD (SD1.5) and TAESDXL have the same shapes, so, as ComfyUI does in its
// vae_approx folder, the file name tells them apart (taesdxl_decoder… for SDXL, taesd_decoder… for SD1.5). A job whose
// checkpoint base has none keeps the latent → RGB previews.
import path from 'node:path';
import type { Model, ModelBase } from '../../src-preload/contract/models.ts';
import type { AnnotatorFiles } from '../engine/control/control-image.ts';

const NAMED_FOR: Readonly<Record<ModelBase, (name: string) => boolean>> = {
  sdxl: (name) => /taesdxl/iu.test(name),
  sd15: (name) => /taesd(?!xl)/iu.test(name),
};

/** The annotator models among the models found (by content): DWPose for OpenPose maps, Depth Anything for depth. */
export function annotatorsIn(models: readonly Pick<Model, 'path' | 'kind'>[]): AnnotatorFiles {
  const first = (kind: Model['kind']) => models.find((m) => m.kind === kind)?.path;
  const poseDetector = first('pose-detector');
  const poseEstimator = first('pose-estimator');
  const depthEstimator = first('depth-estimator');
  return { ...(poseDetector ? { poseDetector } : {}), ...(poseEstimator ? { poseEstimator } : {}), ...(depthEstimator ? { depthEstimator } : {}) };
}

export function previewDecoderFor(checkpoint: string, models: readonly Pick<Model, 'path' | 'kind' | 'base'>[]): string | undefined {
  const base = models.find((m) => m.kind === 'checkpoint' && path.resolve(m.path) === path.resolve(checkpoint))?.base;
  if (base === null || base === undefined) return undefined;
  // A diffusers AutoencoderTiny is found as its weights file: its folder carries the name.
  return models.find((m) => m.kind === 'taesd' && NAMED_FOR[base](path.relative(path.dirname(path.dirname(m.path)), m.path)))?.path;
}
