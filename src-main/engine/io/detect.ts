// What a model file or folder is, from tensor names and shapes only: used by `faceid inspect` and the model
// manager's folder scan. Refused families (SD2.x, SDXL refiner, SD3, Flux) throw a typed error naming them.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { DType } from '../tensors/dtype.ts';
import { refuseForeignModel, unetArchitecture, type PipelineArchitecture } from './architecture.ts';
import { canonicalFromLdm, CHECKPOINT_COMPONENTS, openCheckpoint, shapesOf, type CheckpointComponent } from './checkpoint.ts';
import { elementCount, type TensorDescriptor, type TensorFileFormat } from './descriptors.ts';
import { describeIpAdapter, looksLikeIpAdapter } from './ipadapter.ts';
import { describeControl } from './controlnet.ts';
import { loraFormatOf } from './lora.ts';
import { readTensorFile } from './tensor-file.ts';

export type ModelKind = 'checkpoint' | 'unet' | 'vae' | 'text-encoder' | 'ip-adapter' | 'lora' | 'clip-vision' | 'controlnet' | 't2i-adapter';
export type ModelBase = 'sd15' | 'sdxl';

/** What names and shapes say about a set of tensors. */
export interface TensorSetDescription {
  readonly kind: ModelKind;
  /** Full pipelines and UNets. */
  readonly architecture?: PipelineArchitecture;
  /** The base model family a part or add-on belongs to, when the tensors tell. */
  readonly base?: ModelBase;
  /** IP-Adapter variant, LoRA format, CLIP model (`vit-h-14`, `vit-bigg-14`), text encoder type. */
  readonly variant?: string;
  /** `ldm-single-file` / `diffusers` naming for SD parts; `single-file` for add-ons with their own naming. */
  readonly layout: 'diffusers' | 'ldm-single-file' | 'single-file';
  /** SD components present (checkpoints). */
  readonly components?: readonly CheckpointComponent[];
  /** Extra facts worth showing (tokens, LoRA rank, widths). */
  readonly details: Readonly<Record<string, string | number>>;
}

export interface ModelDescription extends TensorSetDescription {
  readonly path: string;
  readonly format: TensorFileFormat | 'folder';
  readonly dtypes: readonly DType[];
  readonly tensorCount: number;
  readonly parameterCount: number;
  readonly sizeBytes: number;
  /** The weight files that make it up (one, or a diffusers folder's). */
  readonly files: readonly string[];
  /** A licence warning for files we know to carry one. */
  readonly licenceHint?: string;
}

export interface TensorInfo {
  readonly shape: readonly number[];
}

export const FACEID_LICENCE_HINT =
  'IP-Adapter FaceID weights are released for non-commercial research use only: they were trained with InsightFace models (buffalo_l), whose pretrained weights are non-commercial. Do not use images made with them commercially.';

/** Describes a model file or folder. Reads headers only. */
export async function detectModel(fileOrFolder: string): Promise<ModelDescription> {
  const source = path.resolve(fileOrFolder);
  let info;
  try {
    info = await stat(source);
  } catch (cause) {
    throw new StudioError('checkpoint.not-found', { userMessage: `${source} could not be opened.`, hint: 'Check that the path exists and that you may read it.', cause });
  }
  if (info.isDirectory()) return detectFolder(source);
  const index = await readTensorFile(source);
  const description = describeTensors(index.tensors, path.basename(source));
  return { path: source, format: index.format, ...totals(index.tensors), sizeBytes: index.sizeBytes, files: [source], ...description, ...licence(description) };
}

async function detectFolder(folder: string): Promise<ModelDescription> {
  if (existsSync(path.join(folder, 'model_index.json')) || existsSync(path.join(folder, 'unet'))) {
    const checkpoint = await openCheckpoint(folder);
    const files = [...new Set([...checkpoint.tensors.values()].map((t) => t.file))];
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    const components = CHECKPOINT_COMPONENTS.filter((c) => [...checkpoint.tensors.keys()].some((n) => n.startsWith(`${c}.`)));
    return {
      path: folder,
      format: 'folder',
      kind: 'checkpoint',
      architecture: checkpoint.architecture,
      base: baseOf(checkpoint.architecture),
      layout: 'diffusers',
      components,
      details: {},
      ...totals(checkpoint.tensors),
      sizeBytes: sizes.reduce((a, b) => a + b, 0),
      files,
    };
  }
  // A single component folder (vae/, image_encoder/): describe its weights file.
  const entries = await readdir(folder);
  const weights = entries.filter((e) => /\.(safetensors|bin)$/.test(e)).sort((a, b) => Number(b.endsWith('.safetensors')) - Number(a.endsWith('.safetensors')));
  if (weights.length === 0) {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: `${path.basename(folder)} holds no model weights (no .safetensors or .bin file, no model_index.json).`,
      hint: 'Choose a model file, or a diffusers folder with model_index.json.',
    });
  }
  return { ...(await detectModel(path.join(folder, weights[0]!))), path: folder };
}

/** Classifies tensors by names and shapes. `what` names the thing in error messages. */
export function describeTensors(tensors: ReadonlyMap<string, TensorInfo>, what: string): TensorSetDescription {
  const names = [...tensors.keys()];
  refuseForeignModel(names, what);
  const shapes = new Map(names.map((n) => [n, tensors.get(n)!.shape]));
  if (looksLikeIpAdapter(names)) {
    const info = describeIpAdapter(shapes, what);
    const details: Record<string, string | number> = { projection: info.projection, tokens: info.tokens, crossAttentionDim: info.crossAttentionDim, processors: info.processorCount };
    if (info.loraRank !== undefined) details['loraRank'] = info.loraRank;
    if (info.variant === 'faceid-plus') details['note'] = 'FaceID-Plus and PlusV2 have identical weights; PlusV2 (shortcut) is the default way to run them';
    return { kind: 'ip-adapter', base: info.base, variant: info.variant, layout: 'single-file', details };
  }
  // Before the UNet test: a diffusers ControlNet has a UNet's conv_in and down blocks.
  const control = describeControl(shapes);
  if (control) return { kind: control.kind, base: control.base, layout: control.layout === 'original' ? 'single-file' : 'diffusers', variant: control.layout, details: control.details };
  const loraFormat = loraFormatOf(names);
  if (loraFormat !== undefined) return describeLora(names, shapes, loraFormat);
  if (names.some((n) => /^(model\.diffusion_model|first_stage_model|cond_stage_model|conditioner)\./.test(n))) {
    return describeLdm(fakeDescriptors(shapes), what);
  }
  // A bare LDM VAE file (e.g. vae-ft-mse-840000-ema-pruned) has the VAE's names without a prefix.
  if (names.some((n) => /^(encoder\.down\.\d+\.block|decoder\.up\.\d+\.block)\./.test(n))) {
    return describeLdm(fakeDescriptors(new Map([...shapes].map(([n, s]) => [`first_stage_model.${n}`, s]))), what);
  }
  if (names.includes('conv_in.weight') && names.some((n) => n.startsWith('down_blocks.'))) {
    const architecture = unetArchitecture(new Map([...shapes].map(([n, s]) => [`unet.${n}`, s])), what);
    return { kind: 'unet', architecture, base: baseOf(architecture), layout: 'diffusers', details: {} };
  }
  if (names.some((n) => n.startsWith('encoder.down_blocks.')) && names.some((n) => n.startsWith('decoder.up_blocks.'))) {
    return { kind: 'vae', layout: 'diffusers', details: { note: 'SD1.5 and SDXL VAEs share one layout' } };
  }
  if (names.some((n) => n.startsWith('vision_model.encoder.layers.'))) return describeClipVision(shapes);
  if (names.some((n) => n.startsWith('text_model.encoder.layers.'))) {
    const layers = countIndices(names, /^text_model\.encoder\.layers\.(\d+)\./);
    const width = shapes.get('text_model.embeddings.token_embedding.weight')?.[1] ?? 0;
    return { kind: 'text-encoder', layout: 'diffusers', variant: names.includes('text_projection.weight') ? 'clip-text-with-projection' : 'clip-text', details: { layers, width } };
  }
  throw new StudioError('checkpoint.wrong-kind', {
    userMessage: `${what} holds ${names.length} tensors, but not of a model FaceID Studio knows (Stable Diffusion 1.5/SDXL parts, IP-Adapter FaceID, LoRA, CLIP vision).`,
    hint: 'Check that you chose the right file.',
  });
}

function describeLdm(descriptors: Map<string, TensorDescriptor>, what: string): TensorSetDescription {
  const { tensors } = canonicalFromLdm(descriptors);
  const components = CHECKPOINT_COMPONENTS.filter((c) => [...tensors.keys()].some((n) => n.startsWith(`${c}.`)));
  if (components.includes('unet')) {
    const architecture = unetArchitecture(shapesOf(tensors), what);
    return { kind: 'checkpoint', architecture, base: baseOf(architecture), layout: 'ldm-single-file', components, details: {} };
  }
  if (components.length === 1 && components[0] === 'vae') return { kind: 'vae', layout: 'ldm-single-file', components, details: { note: 'SD1.5 and SDXL VAEs share one layout' } };
  if (components.length > 0 && components.every((c) => c.startsWith('text_encoder'))) {
    return { kind: 'text-encoder', layout: 'ldm-single-file', components, ...(components.includes('text_encoder_2') ? { base: 'sdxl' as const } : {}), details: {} };
  }
  throw new StudioError('checkpoint.incomplete', {
    userMessage: `${what} has single-file (LDM) names but no UNet, so it is not a complete checkpoint.`,
    hint: 'Choose a full SD1.5 or SDXL checkpoint.',
  });
}

function describeLora(names: readonly string[], shapes: ReadonlyMap<string, readonly number[]>, format: NonNullable<ReturnType<typeof loraFormatOf>>): TensorSetDescription {
  // SDXL puts up to ten transformer blocks in an attention and has two text encoders; SD1.5 has one block each.
  const sdxl = names.some((n) => /transformer_blocks[._]([1-9]\d*)[._]/.test(n) || /^lora_te2_|text_encoder_2\./.test(n));
  const rankSource = names.find((n) => /(lora_down|lora_A|lora\.down|_lora\.down)\.weight$/.test(n));
  const rank = rankSource === undefined ? undefined : shapes.get(rankSource)?.[0];
  const targets = names.filter((n) => /(lora_down|lora_A|lora\.down|_lora\.down)\.weight$/.test(n)).length;
  return {
    kind: 'lora',
    base: sdxl ? 'sdxl' : 'sd15',
    variant: format,
    layout: 'single-file',
    details: { ...(rank === undefined ? {} : { rank }), modules: targets, alpha: names.some((n) => n.endsWith('.alpha')) ? 'stored' : 'none (scale 1)' },
  };
}

/** CLIP vision towers by width and depth: the two IP-Adapter uses (ViT-H/14 for FaceID-Plus, bigG for SDXL Plus). */
const CLIP_VISION_MODELS: ReadonlyArray<{ readonly variant: string; readonly width: number; readonly layers: number }> = [
  { variant: 'vit-h-14', width: 1280, layers: 32 },
  { variant: 'vit-bigg-14', width: 1664, layers: 48 },
  { variant: 'vit-l-14', width: 1024, layers: 24 },
];

function describeClipVision(shapes: ReadonlyMap<string, readonly number[]>): TensorSetDescription {
  const names = [...shapes.keys()];
  const width = shapes.get('vision_model.embeddings.class_embedding')?.[0] ?? 0;
  const patch = shapes.get('vision_model.embeddings.patch_embedding.weight')?.[2] ?? 0;
  const layers = countIndices(names, /^vision_model\.encoder\.layers\.(\d+)\./);
  const known = CLIP_VISION_MODELS.find((m) => m.width === width && m.layers === layers && patch === 14);
  const projection = shapes.get('visual_projection.weight')?.[0];
  return {
    kind: 'clip-vision',
    variant: known?.variant ?? 'other',
    layout: 'diffusers',
    details: { width, layers, patch, ...(projection === undefined ? {} : { projection }) },
  };
}

function countIndices(names: readonly string[], pattern: RegExp): number {
  const indices = new Set<string>();
  for (const n of names) {
    const m = pattern.exec(n);
    if (m) indices.add(m[1]!);
  }
  return indices.size;
}

function fakeDescriptors(shapes: ReadonlyMap<string, readonly number[]>): Map<string, TensorDescriptor> {
  return new Map([...shapes].map(([name, shape]) => [name, { name, dtype: 'F32' as const, shape, file: '', offset: 0, byteLength: 0 }]));
}

function baseOf(architecture: PipelineArchitecture): ModelBase {
  return architecture.startsWith('sdxl') ? 'sdxl' : 'sd15';
}

function totals(tensors: ReadonlyMap<string, TensorDescriptor>): { dtypes: DType[]; tensorCount: number; parameterCount: number } {
  const dtypes = new Set<DType>();
  let parameterCount = 0;
  for (const t of tensors.values()) {
    dtypes.add(t.dtype);
    parameterCount += elementCount(t.shape);
  }
  return { dtypes: [...dtypes].sort(), tensorCount: tensors.size, parameterCount };
}

function licence(description: TensorSetDescription): { licenceHint?: string } {
  const faceid = description.kind === 'ip-adapter' || (description.kind === 'lora' && description.variant === 'ip-adapter-bin');
  return faceid ? { licenceHint: FACEID_LICENCE_HINT } : {};
}
