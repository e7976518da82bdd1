// Timings of the engine's networks on the compiled full-size graphs, fp32 on CPU, through the same SessionPool the
// pipeline uses (so the txt2img run afterwards reuses these sessions and its "parts" are the same sessions' times),
// plus the whole-pipeline run and the event-loop lag of the main thread while the engine worker runs a job.
import { spawnSync } from 'node:child_process';
import type { WeightsModeResult } from './weights-mode-child.ts';
import type { VaeDecodeChildResult } from './vae-decode-child.ts';
import { monitorEventLoopLag } from '../src-main/base/event-loop-lag.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { CompiledModel } from '../src-main/engine/models/compile.ts';
import { SessionPool, type PooledSession } from '../src-main/engine/onnx/session-pool.ts';
import { generate } from '../src-main/engine/pipeline/generate.ts';
import { textEncoderFeeds } from '../src-main/engine/pipeline/ort-runners.ts';
import type { ModelLoader } from '../src-main/engine/pipeline/model-loader.ts';
import { EngineClient } from '../src-main/engine/worker/engine-client.ts';
import type { CompileChildResult } from './compile-child.ts';
import { median } from './results.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs bench/compile-child.ts; throws with its stderr when it fails. */
export function compileInChild(checkpoint: string, adapter: string, cacheDir: string): CompileChildResult {
  const child = spawnSync(process.execPath, [path.join(here, 'compile-child.ts'), checkpoint, adapter, cacheDir], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`compile child failed (${child.status ?? child.signal}): ${child.stderr.slice(-2000)}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as CompileChildResult;
}

/** One VAE decode of a `size`² image through the engine's runner, in a child process of its own (its peak RSS is the decode's). */
export function vaeDecodeInChild(compiledDir: string, size: number): VaeDecodeChildResult {
  const child = spawnSync(process.execPath, [path.join(here, 'vae-decode-child.ts'), compiledDir, String(size)], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`VAE decode child failed (${child.status ?? child.signal}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as VaeDecodeChildResult;
}

/** One txt2img with expanded or compact weights, in a child process of its own (its peak RSS is that mode's). */
export function weightsModeInChild(mode: 'fast' | 'compact', options: { checkpoint: string; cacheDir: string; tokenizerDir: string; steps: number; size?: number }): WeightsModeResult {
  const args = [path.join(here, 'weights-mode-child.ts'), mode, options.checkpoint, options.cacheDir, options.tokenizerDir, String(options.steps), String(options.size ?? TXT2IMG_REQUEST.width)];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`${mode} weights child failed (${child.status ?? child.signal}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as WeightsModeResult;
}

/**
 * The engine's SessionPool, with every session.run timed: the pipeline runs unchanged on it, and the time spent
 * inside onnxruntime during a generate() is its "sum of parts", measured in the same run as the wall time.
 */
export class TimedSessionPool extends SessionPool {
  runSeconds = 0;
  runs = 0;

  override async get(modelPath: string): Promise<PooledSession> {
    const pooled = await super.get(modelPath);
    const session = new Proxy(pooled.session, {
      get: (target, property) => {
        if (property === 'run') {
          return async (...args: Parameters<ort.InferenceSession['run']>) => {
            const started = performance.now();
            try {
              return await target.run(...args);
            } finally {
              this.runSeconds += (performance.now() - started) / 1000;
              this.runs++;
            }
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { ...pooled, session };
  }
}

/** Deterministic values in [−1, 1) (latents and hidden states need only be finite and varied). */
export function pseudoRandom(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

export interface Timing {
  /** Median seconds of the timed runs. */
  readonly seconds: number;
  /** Every timed run, in order. */
  readonly times: readonly number[];
  readonly repeats: number;
  /** Seconds to get the session (opening it when the pool did not have it yet). */
  readonly openSeconds: number;
}

/** Opens (via the pool) and times one graph: one untimed warm-up run, then `repeats` timed runs. */
export async function timeGraph(
  pool: SessionPool,
  modelPath: string,
  feeds: () => Record<string, ort.Tensor>,
  repeats: number,
  check: (outputs: ort.InferenceSession.OnnxValueMapType) => void,
  beforeEach?: () => Promise<void>,
): Promise<Timing> {
  const openStarted = performance.now();
  const { session } = await pool.get(modelPath);
  const openSeconds = (performance.now() - openStarted) / 1000;
  check(await session.run(feeds()));
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await beforeEach?.();
    const input = feeds();
    const started = performance.now();
    await session.run(input);
    times.push((performance.now() - started) / 1000);
  }
  return { seconds: median(times), times, repeats, openSeconds };
}

export function assertFinite(name: string) {
  return (outputs: ort.InferenceSession.OnnxValueMapType): void => {
    const data = outputs[name]?.data as Float32Array | undefined;
    if (!data) throw new Error(`the graph produced no ${name}`);
    for (const v of data) if (!Number.isFinite(v)) throw new Error(`${name} has non-finite values: the random weights are scaled wrongly`);
  };
}

/** UNet feeds for a CFG batch of 2 at `size`² (77 text tokens; FaceID: 4 ID tokens, scale 1 on every layer, LoRA 1). */
export function unetFeeds(compiled: CompiledModel, size: number): () => Record<string, ort.Tensor> {
  const side = size / 8;
  const dim = compiled.unet.crossAttentionDim;
  const inputs = new Set(compiled.unet.inputs);
  return () => {
    const feeds: Record<string, ort.Tensor> = {
      sample: new ort.Tensor('float32', pseudoRandom(2 * compiled.unet.inChannels * side * side, 1), [2, compiled.unet.inChannels, side, side]),
      timestep: new ort.Tensor('float32', Float32Array.of(501), [1]),
      encoder_hidden_states: new ort.Tensor('float32', pseudoRandom(2 * 77 * dim, 2), [2, 77, dim]),
    };
    if (inputs.has('text_embeds')) {
      // SDXL's added conditioning: pooled text and the size/crop ids of a square image of this size.
      const pooled = compiled.unet.config.addedEmbedding?.textEmbedDim ?? 0;
      feeds.text_embeds = new ort.Tensor('float32', pseudoRandom(2 * pooled, 6), [2, pooled]);
      feeds.time_ids = new ort.Tensor('float32', Float32Array.from([size, size, 0, 0, size, size, size, size, 0, 0, size, size]), [2, 6]);
    }
    if (inputs.has('ip_tokens')) {
      feeds.ip_tokens = new ort.Tensor('float32', pseudoRandom(2 * 4 * dim, 3), [2, 4, dim]);
      feeds.ip_scale = new ort.Tensor('float32', new Float32Array(compiled.unet.crossAttentionLayers).fill(1), [compiled.unet.crossAttentionLayers]);
    }
    if (inputs.has('lora_strengths')) feeds.lora_strengths = new ort.Tensor('float32', new Float32Array(compiled.loras.length).fill(1), [compiled.loras.length]);
    return feeds;
  };
}

/** The shapes the FLOP counter needs for the same UNet feeds. */
export function unetInputShapes(compiled: CompiledModel, size: number): Record<string, number[]> {
  const feeds = unetFeeds(compiled, size)();
  return Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, [...t.dims]]));
}

/** `beforeEach` runs before every timed step (the bench measures the MatMul peak right next to each step). */
export function timeUnet(pool: SessionPool, compiled: CompiledModel, size: number, repeats: number, beforeEach?: () => Promise<void>): Promise<Timing> {
  return timeGraph(pool, compiled.unet.path, unetFeeds(compiled, size), repeats, assertFinite('out_sample'), beforeEach);
}

/** A compiled ControlNet at `size`² with CFG batch 2 (as a job runs it beside the UNet): text, a control image, scale 1. */
export function controlNetFeeds(crossDim: number, size: number): () => Record<string, ort.Tensor> {
  const side = size / 8;
  return () => ({
    sample: new ort.Tensor('float32', pseudoRandom(2 * 4 * side * side, 1), [2, 4, side, side]),
    timestep: new ort.Tensor('float32', Float32Array.of(501), [1]),
    encoder_hidden_states: new ort.Tensor('float32', pseudoRandom(2 * 77 * crossDim, 2), [2, 77, crossDim]),
    controlnet_cond: new ort.Tensor('float32', pseudoRandom(2 * 3 * size * size, 4).map((v) => Math.abs(v) % 1), [2, 3, size, size]),
    conditioning_scale: new ort.Tensor('float32', Float32Array.of(1), [1]),
  });
}

export function timeControlNet(pool: SessionPool, modelPath: string, crossDim: number, size: number, repeats: number): Promise<Timing> {
  return timeGraph(pool, modelPath, controlNetFeeds(crossDim, size), repeats, assertFinite('mid_res'));
}

/** Text encoder `index` on 2×77 ids (uncond + cond, as the pipeline batches them). */
export function timeTextEncoder(pool: SessionPool, compiled: CompiledModel, repeats: number, index = 0): Promise<Timing> {
  const ids = Array.from({ length: 2 * 77 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 < 10 ? 320 + i : 49407));
  const encoder = compiled.textEncoders[index]!;
  return timeGraph(pool, encoder.path, () => textEncoderFeeds(ids, 2, encoder.hiddenSize), repeats, assertFinite('last_hidden_state'));
}

export function timeVaeDecode(pool: SessionPool, compiled: CompiledModel, size: number, repeats: number): Promise<Timing> {
  const side = size / 8;
  return timeGraph(pool, compiled.vaeDecoder.path, () => ({ latent: new ort.Tensor('float32', pseudoRandom(4 * side * side, 4), [1, 4, side, side]) }), repeats, assertFinite('sample'));
}

export function timeVaeEncode(pool: SessionPool, compiled: CompiledModel, size: number, repeats: number): Promise<Timing> {
  return timeGraph(pool, compiled.vaeEncoder.path, () => ({ sample: new ort.Tensor('float32', pseudoRandom(3 * size * size, 5), [1, 3, size, size]) }), repeats, assertFinite('latent_mean'));
}

export const TXT2IMG_REQUEST = { prompt: 'a photo of a woman in a garden, best quality', negativePrompt: 'lowres, bad anatomy', seed: 1, cfg: 7, sampler: 'DDIM', width: 256, height: 256 } as const;

/**
 * A whole txt2img through generate() (model already loaded, sessions open in `pool`): wall seconds, and the seconds
 * spent inside onnxruntime (text encoder, every UNet step, VAE decode) during that same call.
 */
export async function timeTxt2img(loader: ModelLoader, pool: TimedSessionPool, model: string, steps: number): Promise<{ wallSeconds: number; partsSeconds: number; runs: number }> {
  await loader.load({ model, loras: [] });
  pool.runSeconds = 0;
  pool.runs = 0;
  const started = performance.now();
  const images = await generate({ ...TXT2IMG_REQUEST, model, steps }, { loader });
  const wallSeconds = (performance.now() - started) / 1000;
  if (images.length !== 1 || images[0]!.png.length === 0) throw new Error('txt2img produced no image');
  return { wallSeconds, partsSeconds: pool.runSeconds, runs: pool.runs };
}

/** The main thread's event-loop lag p99 (ms) over `seconds` with nothing else running: the machine's noise floor. */
export async function idleEventLoopLag(seconds: number): Promise<number> {
  const monitor = monitorEventLoopLag();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return monitor.stop().p99Ms;
}

export interface LagResult {
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly jobSeconds: number;
  readonly state: string;
}

/**
 * The main thread's event-loop lag (how late its timers fire) while the engine worker (EngineClient → worker thread)
 * loads the model and runs one txt2img job: what the app's main process feels during a generation.
 */
export async function eventLoopLagDuringJob(options: { cacheDir: string; tokenizerDir: string; model: string; steps: number }): Promise<LagResult> {
  const client = EngineClient.start({ cacheDir: options.cacheDir, tokenizerDir: options.tokenizerDir, preferredProviders: [], memoryBudgetBytes: 64 * 2 ** 30 });
  const monitor = monitorEventLoopLag();
  try {
    const started = performance.now();
    const jobId = client.submit({ ...TXT2IMG_REQUEST, model: options.model, steps: options.steps });
    const final = await client.waitFor(jobId);
    const jobSeconds = (performance.now() - started) / 1000;
    const lag = monitor.stop();
    if (final.state !== 'done') throw new Error(`the engine job ended ${final.state}: ${final.error?.userMessage ?? ''}`);
    return { ...lag, jobSeconds, state: final.state };
  } finally {
    monitor.stop();
    await client.close();
  }
}
