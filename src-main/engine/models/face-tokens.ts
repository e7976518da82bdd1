// FaceID conditioning tokens from reference embeddings: compiles the adapter's projection graph once into a cache
// folder (weights stay in the adapter file, hard-linked), then runs it for the cond and uncond tokens (spec §4, §6.3, §6.5).
//
//   const projection = await loadFaceProjection('/models/ip-adapter-faceid-plusv2_sd15.bin', { cacheDir });
//   const { cond, uncond } = await projectFaceTokens(projection, { embeddings, clipHidden, uncondClipHidden, structure: 1 });
//   // cond/uncond: [1, tokens, C] — append to the text tokens of the positive / negative half of the CFG batch.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import { openIpAdapter, type IpAdapterVariant } from '../io/ipadapter.ts';
import { placeWeights } from '../graph/external-data.ts';
import { WeightMap } from '../graph/weight-map.ts';
import { openSession } from '../onnx/session.ts';
import { tensorF32, type TensorF32 } from '../tensors/tensor.ts';
import { buildFaceProjection, faceProjectionConfig, FACE_PROJECTION_IO, type FaceProjectionConfig } from './face-projection.ts';

/** Bump when the projection graph changes meaning: cached graphs are rebuilt. */
export const FACE_PROJECTION_VERSION = '1';

export type FaceIdVariant = IpAdapterVariant;

/** How several references feed FaceID / Plus (ComfyUI `combine_embeds`); Portrait always concatenates. */
export type ReferenceCombination = 'average' | 'concatenate';

export interface FaceProjection {
  readonly file: string;
  readonly variant: FaceIdVariant;
  readonly config: FaceProjectionConfig;
  readonly modelPath: string;
  readonly session: ort.InferenceSession;
}

/** Plus v1 and v2 share their tensors, so the file name decides, as in ComfyUI ("plusv2" → shortcut on). */
export function faceIdVariant(file: string, detected: IpAdapterVariant): FaceIdVariant {
  return detected === 'faceid-plus' && /plusv2/i.test(path.basename(file)) ? 'faceid-plusv2' : detected;
}

/** Compiles (or reuses from `cacheDir`) the projection graph of an adapter file and opens it. */
export async function loadFaceProjection(adapterFile: string, options: { cacheDir: string; signal?: AbortSignal }): Promise<FaceProjection> {
  const file = path.resolve(adapterFile);
  const adapter = await openIpAdapter(file);
  const weights = new WeightMap(new Map([...adapter.tensors].filter(([name]) => name.startsWith('image_proj.'))), path.basename(file));
  const config = faceProjectionConfig(weights);
  const info = await stat(file);
  const key = createHash('sha256').update(JSON.stringify({ v: FACE_PROJECTION_VERSION, file, size: info.size, mtime: info.mtimeMs })).digest('hex').slice(0, 20);
  const dir = path.join(options.cacheDir, `face-projection-${key}`);
  const modelPath = path.join(dir, 'face_projection.onnx');
  if (!existsSync(modelPath)) {
    const graph = buildFaceProjection(weights, config);
    const staging = `${dir}.partial-${process.pid}`;
    await mkdir(staging, { recursive: true }).catch((cause: unknown) => {
      throw new StudioError('compile.cache-unwritable', { userMessage: `Cannot create the compiled-model cache folder ${options.cacheDir}: ${(cause as Error).message}`, hint: 'Choose a writable folder for the model cache.', cause });
    });
    try {
      const placement = await placeWeights(staging, [graph], options.signal);
      await writeFile(path.join(staging, 'face_projection.onnx'), graph.toModel({ ...placement, producerVersion: FACE_PROJECTION_VERSION, metadata: { component: 'face_projection', adapter: path.basename(file) } }));
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }
  return { file, variant: faceIdVariant(file, adapter.variant), config, modelPath, session: await openSession(modelPath) };
}

export interface ProjectFaceTokensInput {
  /** One L2-normalised ArcFace embedding per reference (the raw one for unnorm models). */
  readonly embeddings: readonly Float32Array[];
  /** Plus/PlusV2: CLIP hidden_states[-2] per reference, [S, clipDim] each, and the negative one (official: CLIP of zero pixel values). */
  readonly clipHidden?: readonly Float32Array[];
  readonly uncondClipHidden?: Float32Array;
  /** PlusV2 s_scale ("structure"), default 1. */
  readonly structure?: number;
  /** Adds the ID tokens back (out = X + s·Y); default: true for PlusV2, false for Plus v1. */
  readonly shortcut?: boolean;
  /** Several references with FaceID / Plus: 'average' (default) or 'concatenate'. Portrait always concatenates. */
  readonly combine?: ReferenceCombination;
}

export interface FaceTokens {
  /** [1, tokens, C] for the positive half of the CFG batch. */
  readonly cond: TensorF32;
  /** [1, tokens, C] for the negative half: the projection of zero ID vectors (spec §6.3), same length as cond. */
  readonly uncond: TensorF32;
}

function mean(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float64Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i]! += v[i]! / vectors.length;
  return Float32Array.from(out);
}

function stackArrays(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of vectors) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

async function run(projection: FaceProjection, ids: readonly Float32Array[], clip: readonly Float32Array[] | undefined, shortcut: number, structure: number): Promise<TensorF32> {
  const { config } = projection;
  const n = ids.length;
  const feeds: Record<string, ort.Tensor> = { [FACE_PROJECTION_IO.idEmbeds]: new ort.Tensor('float32', stackArrays(ids), [n, config.idDim]) };
  if (config.kind === 'plus') {
    const tokens = clip![0]!.length / config.clipDim!;
    feeds[FACE_PROJECTION_IO.clipHidden] = new ort.Tensor('float32', stackArrays(clip!), [n, tokens, config.clipDim!]);
    feeds[FACE_PROJECTION_IO.shortcutScale] = new ort.Tensor('float32', Float32Array.of(shortcut), [1]);
    feeds[FACE_PROJECTION_IO.structureScale] = new ort.Tensor('float32', Float32Array.of(structure), [1]);
  }
  const out = await projection.session.run(feeds);
  // [n, T, C] row-major is already the n·T tokens concatenated in reference order.
  return tensorF32([1, n * config.tokens, config.dim], out[FACE_PROJECTION_IO.tokens]!.data as Float32Array);
}

/** Cond and uncond IP tokens for one set of references. */
export async function projectFaceTokens(projection: FaceProjection, input: ProjectFaceTokensInput): Promise<FaceTokens> {
  const { config, variant } = projection;
  const count = input.embeddings.length;
  if (count === 0) {
    throw new StudioError('face.no-references', { userMessage: 'FaceID needs at least one reference face.', hint: 'Add a reference photo with a clearly visible face.' });
  }
  for (const e of input.embeddings) {
    if (e.length !== config.idDim) throw new StudioError('generate.invalid-parameter', { userMessage: `A face embedding has ${e.length} values; ${path.basename(projection.file)} expects ${config.idDim}.`, hint: 'Analyse the reference again with the buffalo_l models.' });
  }
  const isPlus = config.kind === 'plus';
  if (isPlus && (input.clipHidden?.length !== count || !input.uncondClipHidden)) {
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `${path.basename(projection.file)} is FaceID-Plus: it needs the CLIP image features of every reference and of the negative image.`,
      hint: 'Choose the CLIP ViT-H image encoder in the FaceID settings.',
    });
  }
  const concatenate = variant === 'faceid-portrait' || (input.combine ?? 'average') === 'concatenate';
  const ids = concatenate ? input.embeddings : [mean(input.embeddings)];
  const clip = isPlus ? (concatenate ? input.clipHidden! : [mean(input.clipHidden!)]) : undefined;
  const shortcut = (input.shortcut ?? variant === 'faceid-plusv2') ? 1 : 0;
  const structure = shortcut ? (input.structure ?? 1) : 1;
  const cond = await run(projection, ids, clip, shortcut, structure);
  const zeros = ids.map(() => new Float32Array(config.idDim));
  const uncond = await run(projection, zeros, clip ? clip.map(() => input.uncondClipHidden!) : undefined, shortcut, structure);
  return { cond, uncond };
}

/**
 * CLIP hidden_states[-2] for FaceID-Plus from the compiled image encoder (compileModel's `imageEncoder`): one
 * [S, hidden] array per reference's pixel values (engine/face clipPixelValues of the 224 crop), and the official
 * negative, the encoder run on zero pixel values (spec §3).
 */
export async function encodeClipPixels(imageEncoder: ort.InferenceSession, pixelValues: readonly Float32Array[]): Promise<{ hidden: Float32Array[]; uncondHidden: Float32Array }> {
  const first = pixelValues[0];
  if (!first) throw new RangeError('encodeClipPixels needs at least one image');
  const side = Math.round(Math.sqrt(first.length / 3));
  const batch = [...pixelValues, new Float32Array(first.length)];
  const input = new ort.Tensor('float32', stackArrays(batch), [batch.length, 3, side, side]);
  const out = await imageEncoder.run({ [imageEncoder.inputNames[0]!]: input });
  const data = out[imageEncoder.outputNames[0]!]!.data as Float32Array;
  const each = data.length / batch.length;
  const all = batch.map((_, i) => data.slice(i * each, (i + 1) * each));
  return { hidden: all.slice(0, -1), uncondHidden: all[all.length - 1]! };
}

export async function releaseFaceProjection(projection: FaceProjection): Promise<void> {
  await projection.session.release();
}
