// Which diffusion model a set of tensors is, from names and shapes only (never from file names or widths,
// so tiny test models and full-size ones are told apart the same way).
import { StudioError } from '../../base/errors.ts';

export type PipelineArchitecture = 'sd15' | 'sd15-inpaint' | 'sdxl' | 'sdxl-inpaint';

/** Models we recognise and refuse, each with the tell-tale names that give it away. */
const FOREIGN_MODELS: ReadonlyArray<{ readonly model: string; readonly test: (names: readonly string[]) => boolean }> = [
  { model: 'Stable Diffusion 3', test: (names) => names.some((n) => /(^|\.)joint_blocks\.\d+\./.test(n) || /(^|\.)context_embedder\./.test(n) && !names.some((m) => /single_transformer_blocks\./.test(m))) },
  { model: 'Flux', test: (names) => names.some((n) => /(^|\.)(double_blocks|single_blocks|single_transformer_blocks)\.\d+\./.test(n)) },
  { model: 'Stable Diffusion 2.x', test: (names) => names.some((n) => n.startsWith('cond_stage_model.model.')) },
  { model: 'the SDXL refiner', test: (names) => names.some((n) => n.startsWith('conditioner.embedders.0.model.')) },
];

/** Throws `checkpoint.unsupported-architecture` when raw names reveal a model family we do not run. */
export function refuseForeignModel(rawNames: readonly string[], what: string): void {
  for (const { model, test } of FOREIGN_MODELS) {
    if (test(rawNames)) throw unsupported(what, model);
  }
}

/**
 * Classifies canonical UNet tensors (`unet.*`, shapes) as SD1.5 or SDXL, inpainting or not.
 * SDXL has the added-conditions embedding; SD2.x has none but linear proj_in; the refiner has a fourth down level.
 */
export function unetArchitecture(shapes: ReadonlyMap<string, readonly number[]>, what: string): PipelineArchitecture {
  const convIn = shapes.get('unet.conv_in.weight');
  if (!convIn || convIn.length !== 4) {
    throw new StudioError('checkpoint.incomplete', {
      userMessage: `${what} has no UNet input convolution (unet.conv_in.weight), so it is not a complete Stable Diffusion checkpoint.`,
      hint: 'Choose a full SD1.5 or SDXL checkpoint (single file or diffusers folder).',
    });
  }
  const inputChannels = convIn[1];
  if (inputChannels !== 4 && inputChannels !== 9) {
    throw unsupported(what, `a UNet with ${inputChannels} input channels (we run 4, or 9 for inpainting)`);
  }
  const inpaint = inputChannels === 9;
  const hasAddedEmbedding = shapes.has('unet.add_embedding.linear_1.weight');
  const projIn = firstMatch(shapes, /^unet\.down_blocks\.\d+\.attentions\.0\.proj_in\.weight$/);
  if (hasAddedEmbedding) {
    if ([...shapes.keys()].some((n) => n.startsWith('unet.down_blocks.3.attentions.'))) throw unsupported(what, 'the SDXL refiner');
    return inpaint ? 'sdxl-inpaint' : 'sdxl';
  }
  if (projIn && projIn.length === 2) throw unsupported(what, 'Stable Diffusion 2.x');
  return inpaint ? 'sd15-inpaint' : 'sd15';
}

function firstMatch(shapes: ReadonlyMap<string, readonly number[]>, pattern: RegExp): readonly number[] | undefined {
  for (const [name, shape] of shapes) if (pattern.test(name)) return shape;
  return undefined;
}

function unsupported(what: string, model: string): StudioError {
  return new StudioError('checkpoint.unsupported-architecture', {
    userMessage: `${what} is ${model}, which FaceID Studio does not run.`,
    hint: 'FaceID works with Stable Diffusion 1.5 and SDXL base checkpoints (and their inpainting versions). Choose one of those.',
  });
}
