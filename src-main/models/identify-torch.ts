// Torch .bin/.ckpt files (zip or legacy pickle) and diffusers folders identified through engine/io's detectModel,
// which reads them without executing anything; its description is mapped onto the model manager's identity.
// A file detectModel refuses (SD2.x, SDXL refiner, SD3, Flux, not a model) becomes `other` with its reason.
import { StudioError } from '../base/errors.ts';
import { detectModel, type ModelDescription } from '../engine/io/detect.ts';
import { readTensorFile } from '../engine/io/tensor-file.ts';
import { describeTaesd } from '../engine/io/taesd.ts';
import { namedEmbeddingSets } from '../engine/io/textual-inversion.ts';
import type { FaceIdVariant, ModelBase } from './catalog-schema.ts';
import { baseLabel } from '../engine/models/architectures.ts';
import { t2iIdentity, taesdIdentity, type ModelIdentity } from './identity.ts';

const CONTEXT_DIM: Record<ModelBase, number> = { sd15: 768, sdxl: 2048 };

function label(base: ModelBase | undefined): string {
  return base === undefined ? '' : baseLabel(base);
}

function adapterVariant(description: ModelDescription): { variant: FaceIdVariant; alsoPossible?: FaceIdVariant[] } {
  switch (description.variant) {
    case 'faceid-plus':
    case 'faceid-plusv2':
      return { variant: 'faceid-plusv2', alsoPossible: ['faceid-plus'] }; // identical tensors (spec §8.3)
    case 'faceid-portrait':
      if (description.details['projection'] === 'resampler') return { variant: 'portrait-unnorm' };
      return description.base === 'sd15' ? { variant: 'portrait', alsoPossible: ['portrait-v11'] } : { variant: 'portrait' };
    default:
      return { variant: 'faceid' };
  }
}

export function identityFromDescription(description: ModelDescription): ModelIdentity {
  const base = description.base ?? null;
  switch (description.kind) {
    case 'checkpoint': {
      const isFullSize = description.parameterCount > 500_000_000; // SD1.5 ≈ 1.07 G parameters; tiny test models ≈ 3 M
      return { kind: 'checkpoint', base, isFullSize, summary: `${label(description.base)} checkpoint (${description.layout})${isFullSize ? '' : ', tiny test model'}` };
    }
    case 'ip-adapter': {
      const isFullSize = base !== null && description.details['crossAttentionDim'] === CONTEXT_DIM[base];
      const hasEmbeddedLora = description.details['loraRank'] !== undefined;
      return { kind: 'ip-adapter', base, ...adapterVariant(description), hasEmbeddedLora, isFullSize, summary: `${label(description.base)} FaceID adapter (${description.variant})${isFullSize ? '' : ', tiny test model'}` };
    }
    case 'lora':
      return { kind: 'lora', base, isFaceIdLora: false, isFullSize: true, summary: `${label(description.base)} LoRA (${description.variant ?? 'unknown format'})` };
    case 'controlnet': {
      const isFullSize = base !== null && description.details['crossAttentionDim'] === CONTEXT_DIM[base];
      return { kind: 'controlnet', base, isFullSize, summary: `${label(description.base)} ControlNet (${description.variant} layout)${isFullSize ? '' : ', tiny test model'}` };
    }
    case 't2i-adapter':
      return t2iIdentity(description.base ?? null, description.variant ?? 'original', description.details['width']);
    case 'vae':
      return { kind: 'vae', base: null, isFullSize: true, summary: `VAE (${description.layout})` };
    case 'clip-vision':
      return { kind: 'image-encoder', base: null, isFullSize: description.variant === 'vit-h-14', summary: `CLIP vision encoder (${description.variant})` };
    default:
      return { kind: 'other', base, isFullSize: true, summary: `${label(description.base)} ${description.kind} (${description.layout})`.trim() };
  }
}

/** A1111's textual-inversion .pt files are no model detectModel knows: told apart by their string_to_param. */
async function embeddingIdentity(file: string): Promise<ModelIdentity | null> {
  const { tensors } = await readTensorFile(file);
  const sets = namedEmbeddingSets(tensors);
  if (!sets?.single) return null;
  const [count = 1, width] = sets.single.shape.length === 1 ? [1, sets.single.shape[0]] : sets.single.shape;
  return { kind: 'embedding', base: width === 1024 ? null : 'sd15', isFullSize: width === 768, summary: `${width === 1024 ? 'SD2' : 'SD1.5'} textual-inversion embedding, ${count} vector(s)${width === 768 || width === 1024 ? '' : ', tiny test model'}` };
}

/** madebyollin's taesd_decoder.pth: a bare Sequential no model detectModel knows. */
async function taesdFileIdentity(file: string): Promise<ModelIdentity | null> {
  const { tensors } = await readTensorFile(file);
  const layout = describeTaesd(new Map([...tensors].map(([name, d]) => [name, d.shape])));
  return layout ? taesdIdentity(layout, tensors.get(layout === 'original' ? '1.weight' : 'decoder.layers.0.weight')?.shape[0]) : null;
}

export async function identifyTorchFile(file: string): Promise<ModelIdentity | null> {
  try {
    return identityFromDescription(await detectModel(file));
  } catch (error) {
    if (!(error instanceof StudioError)) return null;
    const other = (await embeddingIdentity(file).catch(() => null)) ?? (await taesdFileIdentity(file).catch(() => null));
    return other ?? { kind: 'other', base: null, isFullSize: true, summary: error.userMessage };
  }
}
