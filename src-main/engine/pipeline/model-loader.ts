// A generation's model: the compiled graphs (engine/models compileModel, cached on disk), onnxruntime sessions from
// the shared pool, the CLIP tokenizer and the scheduler config. Loaded models are kept per (checkpoint, adapter,
// LoRA files) so consecutive jobs reuse them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { openCheckpoint } from '../io/checkpoint.ts';
import { readTensorFloat32 } from '../io/descriptors.ts';
import { compileModel, type CompiledModel, type CompileProgress } from '../models/compile.ts';
import type { SessionPool } from '../onnx/session-pool.ts';
import { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { clipTokenizerFolder } from '../text/tokenizer-folder.ts';
import { createOrtRunners, type FinalLayerNorm } from './ort-runners.ts';
import type { DiffusionRunners } from './runners.ts';

/** SD1.5's scheduler config, used when a single-file checkpoint carries none. */
export const SD15_SCHEDULER_CONFIG: Readonly<Record<string, unknown>> = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  prediction_type: 'epsilon',
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
};

export interface ModelRequest {
  readonly model: string;
  readonly adapter?: string;
  readonly loras: readonly string[];
}

export interface LoadedModel {
  readonly compiled: CompiledModel;
  readonly tokenizer: ClipTokenizer;
  readonly schedulerConfig: Readonly<Record<string, unknown>>;
  /** Runners with these LoRA strengths (index = compiled LoRA index). */
  runners(loraStrengths: readonly number[]): DiffusionRunners;
}

export interface ModelLoaderOptions {
  readonly cacheDir: string;
  readonly pool: SessionPool;
  /** CLIP tokenizer folder (vocab.json + merges.txt) for single-file checkpoints; without one, the app's own copy. */
  readonly tokenizerDir?: string;
  readonly onCompileProgress?: (progress: CompileProgress) => void;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

async function finalLayerNorm(model: string, eps: number): Promise<FinalLayerNorm | undefined> {
  const checkpoint = await openCheckpoint(model);
  const weight = checkpoint.tensors.get('text_encoder.text_model.final_layer_norm.weight');
  const bias = checkpoint.tensors.get('text_encoder.text_model.final_layer_norm.bias');
  if (!weight || !bias) return undefined;
  return { weight: await readTensorFloat32(weight), bias: await readTensorFloat32(bias), eps };
}

export class ModelLoader {
  private readonly options: ModelLoaderOptions;
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(options: ModelLoaderOptions) {
    this.options = options;
  }

  load(request: ModelRequest, signal?: AbortSignal): Promise<LoadedModel> {
    const key = JSON.stringify([path.resolve(request.model), request.adapter ?? '', request.loras]);
    let entry = this.loaded.get(key);
    if (!entry) {
      entry = this.open(request, signal);
      this.loaded.set(key, entry);
      entry.catch(() => this.loaded.delete(key));
    }
    return entry;
  }

  private async open(request: ModelRequest, signal?: AbortSignal): Promise<LoadedModel> {
    if (!existsSync(request.model)) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The model ${request.model} does not exist.`,
        hint: 'Choose a checkpoint file (.safetensors) or a diffusers model folder.',
      });
    }
    const isFolder = existsSync(path.join(request.model, 'model_index.json')) || existsSync(path.join(request.model, 'unet'));
    // A diffusers folder's own tokenizer first; single-file checkpoints carry none.
    const tokenizerDir = clipTokenizerFolder([isFolder ? path.join(request.model, 'tokenizer') : undefined, this.options.tokenizerDir]);
    const schedulerFile = path.join(request.model, 'scheduler', 'scheduler_config.json');
    const [compiled, tokenizer, schedulerConfig] = await Promise.all([
      compileModel(request.model, {
        cacheDir: this.options.cacheDir,
        ...(request.adapter ? { adapter: request.adapter } : {}),
        loras: request.loras.map((file) => ({ file })),
        ...(signal ? { signal } : {}),
        ...(this.options.onCompileProgress ? { onProgress: this.options.onCompileProgress } : {}),
      }),
      ClipTokenizer.fromFolder(tokenizerDir),
      isFolder && existsSync(schedulerFile) ? readJson(schedulerFile) : Promise.resolve(SD15_SCHEDULER_CONFIG),
    ]);
    const textConfigFile = isFolder ? path.join(request.model, 'text_encoder', 'config.json') : undefined;
    const eps = textConfigFile && existsSync(textConfigFile) ? Number((await readJson(textConfigFile)).layer_norm_eps ?? 1e-5) : 1e-5;
    const norm = await finalLayerNorm(request.model, eps);
    const pool = this.options.pool;
    return {
      compiled,
      tokenizer,
      schedulerConfig,
      runners: (loraStrengths) =>
        createOrtRunners(pool, compiled, {
          hiddenSize: compiled.unet.crossAttentionDim,
          ...(norm ? { finalLayerNorm: norm } : {}),
          loraStrengths,
        }),
    };
  }
}
