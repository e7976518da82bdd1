// A Stable Diffusion checkpoint, whatever its layout, as canonical tensors:
// diffusers names prefixed by component (`unet.`, `vae.`, `text_encoder.`, `text_encoder_2.`).
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { DTYPE_BYTES } from '../tensors/dtype.ts';
import { unetArchitecture, refuseForeignModel, type PipelineArchitecture } from './architecture.ts';
import type { TensorDescriptor } from './descriptors.ts';
import { ldmContext, mapLdmName, type SourceTransform } from './ldm-names.ts';
import { readTensorFile } from './tensor-file.ts';

export type CheckpointLayout = 'diffusers' | 'ldm-single-file';
export type CheckpointComponent = 'unet' | 'vae' | 'text_encoder' | 'text_encoder_2';
export const CHECKPOINT_COMPONENTS: readonly CheckpointComponent[] = ['unet', 'vae', 'text_encoder', 'text_encoder_2'];

export interface Checkpoint {
  /** The file or folder opened (absolute). */
  readonly source: string;
  readonly layout: CheckpointLayout;
  readonly architecture: PipelineArchitecture;
  /** Canonical name → where its bytes are; a descriptor with `strides` is a non-contiguous view. */
  readonly tensors: Map<string, TensorDescriptor>;
  /** config.json of each component found in a diffusers folder. */
  readonly configFiles?: Partial<Record<CheckpointComponent, string>>;
  /** Source names that were neither mapped nor known to be ignorable (kept for diagnostics). */
  readonly unmapped: readonly string[];
}

/** Opens a single-file checkpoint (.safetensors, .ckpt) or a diffusers folder. Reads headers only. */
export async function openCheckpoint(fileOrFolder: string): Promise<Checkpoint> {
  const source = path.resolve(fileOrFolder);
  let isFolder: boolean;
  try {
    isFolder = (await stat(source)).isDirectory();
  } catch (cause) {
    throw new StudioError('checkpoint.not-found', {
      userMessage: `${source} could not be opened.`,
      hint: 'Check that the file or folder exists and that you may read it.',
      cause,
    });
  }
  return isFolder ? openDiffusersFolder(source) : openSingleFile(source);
}

async function openSingleFile(file: string): Promise<Checkpoint> {
  const index = await readTensorFile(file);
  const what = path.basename(file);
  const rawNames = [...index.tensors.keys()];
  refuseForeignModel(rawNames, what);
  const { tensors, unmapped } = canonicalFromLdm(index.tensors);
  if (!rawNames.some((n) => n.startsWith('model.diffusion_model.'))) {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: `${what} is not a full Stable Diffusion checkpoint: it has no UNet (model.diffusion_model.*) tensors.`,
      hint: 'Run `faceid inspect` on it to see what it is; choose a full SD1.5 or SDXL checkpoint.',
    });
  }
  const architecture = unetArchitecture(shapesOf(tensors), what);
  return { source: file, layout: 'ldm-single-file', architecture, tensors, unmapped };
}

/** Maps a single file's LDM names to canonical descriptors. */
export function canonicalFromLdm(source: ReadonlyMap<string, TensorDescriptor>): { tensors: Map<string, TensorDescriptor>; unmapped: string[] } {
  const context = ldmContext(source.keys());
  const tensors = new Map<string, TensorDescriptor>();
  const unmapped: string[] = [];
  for (const [name, descriptor] of source) {
    const mappings = mapLdmName(name, descriptor.shape, context);
    if (mappings === undefined) {
      unmapped.push(name);
      continue;
    }
    for (const { canonical, transform } of mappings) {
      if (tensors.has(canonical)) throw duplicate(descriptor.file, canonical);
      tensors.set(canonical, transformDescriptor(descriptor, canonical, transform));
    }
  }
  return { tensors, unmapped };
}

/** The canonical view of a source tensor: same bytes, possibly a sub-range, a squeezed shape or a transposed view. */
function transformDescriptor(source: TensorDescriptor, name: string, transform: SourceTransform): TensorDescriptor {
  switch (transform.kind) {
    case 'same':
      return { ...source, name };
    case 'squeeze-1x1':
      return { ...source, name, shape: source.shape.slice(0, 2) };
    case 'rows': {
      if (source.strides !== undefined) throw new StudioError('checkpoint.bad-tensor', { userMessage: `Tensor "${source.name}" in ${path.basename(source.file)} is a strided view that cannot be split.`, hint: 'Save the checkpoint again as .safetensors.' });
      const rowElements = source.shape.slice(1).reduce((a, b) => a * b, 1);
      const rowBytes = rowElements * DTYPE_BYTES[source.dtype];
      const rows = transform.end - transform.begin;
      return { ...source, name, shape: [rows, ...source.shape.slice(1)], offset: source.offset + transform.begin * rowBytes, byteLength: rows * rowBytes };
    }
    case 'transpose': {
      const [rows, columns] = source.shape as [number, number];
      const inner = source.strides ?? [columns, 1];
      return { ...source, name, shape: [columns, rows], strides: [inner[1]!, inner[0]!] };
    }
  }
}

// ---- diffusers folders -------------------------------------------------------------------------------

/** Weight file names diffusers/transformers write, in the order a loader prefers them. */
const WEIGHT_FILES = [
  'diffusion_pytorch_model.safetensors',
  'model.safetensors',
  'diffusion_pytorch_model.fp16.safetensors',
  'model.fp16.safetensors',
  'diffusion_pytorch_model.bin',
  'pytorch_model.bin',
  'diffusion_pytorch_model.fp16.bin',
  'pytorch_model.fp16.bin',
];
const SHARD_INDEXES = ['diffusion_pytorch_model.safetensors.index.json', 'model.safetensors.index.json', 'diffusion_pytorch_model.fp16.safetensors.index.json', 'model.fp16.safetensors.index.json'];

/** Names older diffusers used for the VAE's mid-block attention. */
const OLD_VAE_ATTENTION: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.attentions\.(\d+)\.query\./, '.attentions.$1.to_q.'],
  [/\.attentions\.(\d+)\.key\./, '.attentions.$1.to_k.'],
  [/\.attentions\.(\d+)\.value\./, '.attentions.$1.to_v.'],
  [/\.attentions\.(\d+)\.proj_attn\./, '.attentions.$1.to_out.0.'],
];

async function openDiffusersFolder(folder: string): Promise<Checkpoint> {
  const what = path.basename(folder);
  const components = await componentsOf(folder);
  const tensors = new Map<string, TensorDescriptor>();
  const configFiles: Partial<Record<CheckpointComponent, string>> = {};
  const unmapped: string[] = [];
  const rawNames: string[] = [];
  for (const component of components) {
    const dir = path.join(folder, component);
    const config = path.join(dir, 'config.json');
    if (existsSync(config)) configFiles[component] = config;
    for (const [name, descriptor] of await readComponentTensors(dir, `${what}/${component}`)) {
      rawNames.push(name);
      if (/(^|\.)position_ids$/.test(name)) continue;
      const canonical = `${component}.${component === 'vae' ? renameOldVae(name) : name}`;
      if (tensors.has(canonical)) throw duplicate(descriptor.file, canonical);
      tensors.set(canonical, { ...descriptor, name: canonical });
    }
  }
  refuseForeignModel(rawNames, what);
  if (!components.includes('unet')) {
    throw new StudioError('checkpoint.incomplete', {
      userMessage: `${what} has no unet/ folder, so it is not a complete diffusers pipeline.`,
      hint: 'Choose the whole pipeline folder (the one with model_index.json, unet/, vae/ and text_encoder/).',
    });
  }
  const architecture = unetArchitecture(shapesOf(tensors), what);
  return { source: folder, layout: 'diffusers', architecture, tensors, configFiles, unmapped };
}

function renameOldVae(name: string): string {
  return OLD_VAE_ATTENTION.reduce((n, [pattern, to]) => n.replace(pattern, to), name);
}

/** The components listed in model_index.json (or, without one, the component folders present). */
async function componentsOf(folder: string): Promise<CheckpointComponent[]> {
  const indexFile = path.join(folder, 'model_index.json');
  if (existsSync(indexFile)) {
    let index: unknown;
    try {
      index = JSON.parse(await readFile(indexFile, 'utf8'));
    } catch (cause) {
      throw new StudioError('checkpoint.bad-header', {
        userMessage: `${indexFile} is not valid JSON.`,
        hint: 'Download the model folder again.',
        cause,
      });
    }
    const listed = CHECKPOINT_COMPONENTS.filter((c) => {
      const entry = (index as Record<string, unknown>)[c];
      return Array.isArray(entry) && entry[0] !== null && entry[1] !== null;
    });
    return listed;
  }
  return CHECKPOINT_COMPONENTS.filter((c) => existsSync(path.join(folder, c)));
}

/** Reads one component folder's weights (single file or safetensors shards). */
async function readComponentTensors(dir: string, what: string): Promise<ReadonlyMap<string, TensorDescriptor>> {
  for (const name of WEIGHT_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) return (await readTensorFile(file)).tensors;
  }
  for (const name of SHARD_INDEXES) {
    const indexFile = path.join(dir, name);
    if (existsSync(indexFile)) return readShards(indexFile, what);
  }
  throw new StudioError('checkpoint.incomplete', {
    userMessage: `${what} has no weights file (expected one of ${WEIGHT_FILES.slice(0, 2).join(', ')}).`,
    hint: 'The download is incomplete: download this model folder again.',
  });
}

async function readShards(indexFile: string, what: string): Promise<ReadonlyMap<string, TensorDescriptor>> {
  let weightMap: Record<string, unknown>;
  try {
    weightMap = (JSON.parse(await readFile(indexFile, 'utf8')) as { weight_map: Record<string, unknown> }).weight_map;
    if (typeof weightMap !== 'object' || weightMap === null) throw new TypeError('no weight_map object');
  } catch (cause) {
    throw new StudioError('checkpoint.bad-header', { userMessage: `${indexFile} is not a valid shard index.`, hint: 'Download the model folder again.', cause });
  }
  const shardNames = new Set(Object.values(weightMap).filter((v): v is string => typeof v === 'string'));
  const all = new Map<string, TensorDescriptor>();
  for (const shard of shardNames) {
    if (shard.includes('/') || shard.includes('\\')) {
      throw new StudioError('checkpoint.bad-header', { userMessage: `${what}: shard index names a file outside its folder (${shard}).`, hint: 'Download the model folder again.' });
    }
    for (const [name, descriptor] of (await readTensorFile(path.join(path.dirname(indexFile), shard))).tensors) all.set(name, descriptor);
  }
  return all;
}

export function shapesOf(tensors: ReadonlyMap<string, TensorDescriptor>): Map<string, readonly number[]> {
  return new Map([...tensors].map(([name, t]) => [name, t.shape]));
}

function duplicate(file: string, canonical: string): StudioError {
  return new StudioError('checkpoint.bad-tensor', {
    userMessage: `${path.basename(file)} holds tensor "${canonical}" twice (under two names).`,
    hint: 'The checkpoint was written by a broken tool; download or convert it again.',
  });
}
