// A generation's model: the compiled graphs (engine/models compileModel, cached on disk), onnxruntime sessions from
// the shared pool, one CLIP tokenizer per text encoder and the scheduler config, as the architecture's recipe says.
// Loaded models are kept per (checkpoint, adapter, LoRA files) so consecutive jobs reuse them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { openCheckpoint } from '../io/checkpoint.ts';
import { readTensorFloat32 } from '../io/descriptors.ts';
import { recipeOf, type ArchitectureRecipe, type TextEncoderRecipe } from '../models/architectures.ts';
import { compileModel, readConfigFolder, type CompiledModel, type CompileProgress } from '../models/compile.ts';
import type { SessionPool } from '../onnx/session-pool.ts';
import { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { clipTokenizerFolder } from '../text/tokenizer-folder.ts';
import { compileControlNet, compileT2IAdapter, type CompiledControlNet, type CompiledT2IAdapter } from '../models/compile-control.ts';
import { compileTaesdDecoder } from '../models/compile-taesd.ts';
import { createControlNetRunner, createOrtRunners, createPreviewDecoderRunner, createT2IAdapterRunner, type FinalLayerNorm } from './ort-runners.ts';
import type { ControlNetRunner, DiffusionRunners, PreviewDecoderRunner, T2IAdapterRunner } from './runners.ts';

export interface ModelRequest {
  readonly model: string;
  readonly adapter?: string;
  readonly loras: readonly string[];
  /** A UNet taking ControlNet residuals (jobs with ControlNet units). */
  readonly controlResiduals?: boolean;
  /** A UNet taking T2I-Adapter features (jobs with T2I-Adapter units). */
  readonly adapterFeatures?: boolean;
  /** A VAE instead of the checkpoint's own. */
  readonly vae?: string;
}

export interface LoadedModel {
  readonly compiled: CompiledModel;
  readonly recipe: ArchitectureRecipe;
  /** One per text encoder, in the recipe's order. */
  readonly tokenizers: readonly ClipTokenizer[];
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
  /** Runners with these LoRA strengths (index = compiled LoRA index). */
  runners(loraStrengths: readonly number[]): DiffusionRunners;
}

export interface ModelLoaderOptions {
  readonly cacheDir: string;
  readonly pool: SessionPool;
  /** CLIP tokenizer folder (vocab.json + merges.txt) for single-file checkpoints; without one, the app's own copy. */
  readonly tokenizerDir?: string;
  /** A diffusers folder whose config.json files stand in for what single-file weights cannot give (readConfigFolder). */
  readonly configDir?: string;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

/** The encoder's final LayerNorm, which clip skip ≥ 2 applies to an earlier layer (recipes that use clip skip). */
async function finalLayerNorm(model: string, isFolder: boolean, encoder: TextEncoderRecipe): Promise<FinalLayerNorm | undefined> {
  if (encoder.hiddenState !== 'clip-skip') return undefined;
  const configFile = isFolder ? path.join(model, encoder.component, 'config.json') : undefined;
  const eps = configFile && existsSync(configFile) ? Number((await readJson(configFile)).layer_norm_eps ?? 1e-5) : 1e-5;
  const checkpoint = await openCheckpoint(model);
  const weight = checkpoint.tensors.get(`${encoder.component}.text_model.final_layer_norm.weight`);
  const bias = checkpoint.tensors.get(`${encoder.component}.text_model.final_layer_norm.bias`);
  if (!weight || !bias) return undefined;
  return { weight: await readTensorFloat32(weight), bias: await readTensorFloat32(bias), eps };
}

export class ModelLoader {
  private readonly options: ModelLoaderOptions;
  private readonly loaded = new Map<string, Promise<LoadedModel>>();
  private readonly controlNets = new Map<string, Promise<{ compiled: CompiledControlNet; runner: ControlNetRunner }>>();
  private readonly t2iAdapters = new Map<string, Promise<{ compiled: CompiledT2IAdapter; runner: T2IAdapterRunner }>>();
  private readonly previewDecoders = new Map<string, Promise<PreviewDecoderRunner>>();

  constructor(options: ModelLoaderOptions) {
    this.options = options;
  }

  /** `onCompileProgress` hears the compilation this call starts (a model already loading or loaded reports none). */
  load(request: ModelRequest, signal?: AbortSignal, onCompileProgress?: (progress: CompileProgress) => void): Promise<LoadedModel> {
    const key = JSON.stringify([path.resolve(request.model), request.adapter ?? '', request.loras, request.controlResiduals === true, request.adapterFeatures === true, request.vae ?? '']);
    let entry = this.loaded.get(key);
    if (!entry) {
      entry = this.open(request, signal, onCompileProgress);
      this.loaded.set(key, entry);
      entry.catch(() => this.loaded.delete(key));
    }
    return entry;
  }

  private async open(request: ModelRequest, signal?: AbortSignal, onCompileProgress?: (progress: CompileProgress) => void): Promise<LoadedModel> {
    if (!existsSync(request.model)) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The model ${request.model} does not exist.`,
        hint: 'Choose a checkpoint file (.safetensors) or a diffusers model folder.',
      });
    }
    const isFolder = existsSync(path.join(request.model, 'model_index.json')) || existsSync(path.join(request.model, 'unet'));
    const schedulerFile = path.join(request.model, 'scheduler', 'scheduler_config.json');
    const configDir = this.options.configDir;
    const compiled = await compileModel(request.model, {
      cacheDir: this.options.cacheDir,
      ...(configDir ? { configs: await readConfigFolder(configDir) } : {}),
      ...(request.adapter ? { adapter: request.adapter } : {}),
      loras: request.loras.map((file) => ({ file })),
      ...(request.controlResiduals ? { controlResiduals: true } : {}),
      ...(request.adapterFeatures ? { adapterFeatures: true } : {}),
      ...(request.vae ? { vae: request.vae } : {}),
      ...(signal ? { signal } : {}),
      ...(onCompileProgress ? { onProgress: onCompileProgress } : {}),
    });
    const recipe = recipeOf(compiled.architecture);
    const [tokenizers, schedulerConfig, norms] = await Promise.all([
      Promise.all(recipe.textEncoders.map((encoder) => this.tokenizerFor(request.model, isFolder, encoder))),
      isFolder && existsSync(schedulerFile) ? readJson(schedulerFile) : Promise.resolve(recipe.schedulerConfig),
      Promise.all(recipe.textEncoders.map((encoder) => finalLayerNorm(request.model, isFolder, encoder))),
    ]);
    const pool = this.options.pool;
    return {
      compiled,
      recipe,
      tokenizers,
      schedulerConfig,
      runners: (loraStrengths) =>
        createOrtRunners(pool, compiled, {
          textEncoders: recipe.textEncoders.map((encoder, i) => ({ recipe: encoder, ...(norms[i] ? { finalLayerNorm: norms[i] } : {}) })),
          loraStrengths,
        }),
    };
  }

  /** A ControlNet compiled (cached on disk and here) with its runner on the shared session pool. */
  controlNet(file: string, signal?: AbortSignal): Promise<{ compiled: CompiledControlNet; runner: ControlNetRunner }> {
    return opened(this.controlNets, file, (key) => compileControlNet(key, { cacheDir: this.options.cacheDir, ...(signal ? { signal } : {}) }).then((compiled) => ({ compiled, runner: createControlNetRunner(this.options.pool, compiled) })));
  }

  /** A T2I-Adapter compiled (cached on disk and here) with its runner on the shared session pool. */
  t2iAdapter(file: string, signal?: AbortSignal): Promise<{ compiled: CompiledT2IAdapter; runner: T2IAdapterRunner }> {
    return opened(this.t2iAdapters, file, (key) => compileT2IAdapter(key, { cacheDir: this.options.cacheDir, ...(signal ? { signal } : {}) }).then((compiled) => ({ compiled, runner: createT2IAdapterRunner(this.options.pool, compiled) })));
  }

  /** A TAESD decoder for previews and draft decodes, compiled once (cached on disk and here), on the shared pool. */
  previewDecoder(file: string): Promise<PreviewDecoderRunner> {
    return opened(this.previewDecoders, file, (key) => compileTaesdDecoder(key, { cacheDir: this.options.cacheDir }).then((compiled) => createPreviewDecoderRunner(this.options.pool, compiled)));
  }

  /** A diffusers folder's own tokenizer (tokenizer/, tokenizer_2/), else the shared CLIP tokenizer files. */
  private async tokenizerFor(model: string, isFolder: boolean, encoder: TextEncoderRecipe): Promise<ClipTokenizer> {
    // A diffusers folder's own tokenizer first; single-file checkpoints carry none, and every SD1.5/SDXL encoder uses
    // the same CLIP BPE files (the app ships them), differing only in the pad token.
    const folder = clipTokenizerFolder([isFolder ? path.join(model, encoder.tokenizer) : undefined, this.options.tokenizerDir]);
    return ClipTokenizer.fromFolder(folder, encoder.padToken === '!' ? '!' : undefined);
  }
}

/** One component per file, opened once: a failed opening is forgotten, so the next job tries again. */
function opened<T>(entries: Map<string, Promise<T>>, file: string, open: (key: string) => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  let entry = entries.get(key);
  if (!entry) {
    entry = open(key);
    entries.set(key, entry);
    entry.catch(() => entries.delete(key));
  }
  return entry;
}
