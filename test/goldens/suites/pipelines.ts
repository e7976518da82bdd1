// Whole-pipeline goldens (goldens/pipe_*.safetensors): txt2img, img2img, inpaint and txt2img with FaceID tokens on
// the tiny SD1.5, run through the engine's diffuse() with graphs compiled from the fixture checkpoint, feeding the
// prompt embeddings and noise draws each golden recorded. Compares every step's UNet input and latents
// (pipelineLatents) and the final image (pipelineImage); sizes, steps, guidance and strengths come from each golden.
// `runPipelineGoldens` serves the other architectures' pipeline suites too (sdxl-pipelines.ts).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { recipeOf } from '../../../src-main/engine/models/architectures.ts';
import { compileModel, type CompiledModel } from '../../../src-main/engine/models/compile.ts';
import { SessionPool } from '../../../src-main/engine/onnx/session-pool.ts';
import { diffuse, type DiffusionRequest } from '../../../src-main/engine/pipeline/diffuse.ts';
import type { TextConditioning } from '../../../src-main/engine/pipeline/conditioning.ts';
import { replayedInitImage, replayedMask, replayFromTensors, replayIp } from '../../../src-main/engine/pipeline/golden-replay.ts';
import type { DiffusionRunners } from '../../../src-main/engine/pipeline/runners.ts';
import { createOrtRunners } from '../../../src-main/engine/pipeline/ort-runners.ts';
import { createSchedulerByClass } from '../../../src-main/engine/schedulers/index.ts';
import { parseSchedulerConfig } from '../../../src-main/engine/schedulers/scheduler.ts';
import { goldenCompileOptions, goldenPreferredProviders } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenContext, type GoldenSuite } from '../golden-suite.ts';
import { recordedNoise } from '../../../src-main/engine/noise/recorded-noise.ts';

export type Golden = Map<string, { data: Float32Array; shape: readonly number[] }>;

function stepsOf(tensors: Golden): number {
  return [...tensors.keys()].filter((k) => /^step\d+_t$/u.test(k)).length;
}

/** The request a pipeline golden describes (sizes from its tensors, strength from its notes). */
function requestFor(name: string, tensors: Golden, notes: string, scheduler: DiffusionRequest['scheduler'], text?: { cond: TextConditioning; uncond: TextConditioning }): DiffusionRequest {
  const get = (k: string) => tensors.get(k)!;
  const replay = replayFromTensors(tensors)!;
  const [height, width] = get('image_out_np_hwc01').shape as [number, number];
  const init = replayedInitImage(replay, width, height);
  const mask = replayedMask(replay, width, height);
  const strengthMatch = /strength (\d+(?:\.\d+)?)/u.exec(notes);
  const stepsMatch = /\) (\d+) steps/u.exec(notes);
  const cfgMatch = /(?:cfg|guidance) (\d+(?:\.\d+)?)/u.exec(notes);
  return {
    width,
    height,
    steps: Number(stepsMatch?.[1] ?? stepsOf(tensors)),
    cfg: Number(cfgMatch?.[1] ?? 7.5),
    scheduler,
    cond: text?.cond ?? replay.cond,
    uncond: text?.uncond ?? replay.uncond,
    ...(replay.timeIds ? { timeIds: replay.timeIds } : {}),
    ...(replay.ipTokens ? { ip: replayIp(replay, 1)! } : {}),
    ...(init ? { init: { image: init, strength: Number(strengthMatch?.[1] ?? 1) } } : {}),
    ...(mask ? { mask: { data: mask, featherPx: 0 } } : {}),
    noise: [recordedNoise(replay.draws, name)],
    ...(replay.initialLatents ? { initialLatents: [replay.initialLatents] } : {}),
  };
}

/** The model folder's own scheduler, as the goldens' notes describe it (every pipeline golden uses it). */
async function schedulerFor(modelDir: string) {
  const raw = JSON.parse(await readFile(path.join(modelDir, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
  return createSchedulerByClass(String(raw._class_name), parseSchedulerConfig(raw))!;
}

/** The text conditioning a pipeline should use: computed by our encoders from the golden's ids, or undefined to replay. */
export type ConditioningFromGolden = (tensors: Golden, runners: DiffusionRunners, label: string) => Promise<{ cond: TextConditioning; uncond: TextConditioning } | undefined>;

async function runGolden(ctx: GoldenContext, label: string, tensors: Golden, notes: string, runners: DiffusionRunners, modelDir: string, conditioning?: ConditioningFromGolden): Promise<void> {
  const taps = new Map<string, Float32Array>();
  const text = await conditioning?.(tensors, runners, label);
  const request = requestFor(label, tensors, notes, await schedulerFor(modelDir), text);
  const result = await diffuse({ ...request, tap: (k, v) => taps.set(k, v.slice()) }, runners);
  for (let k = 0; k < stepsOf(tensors); k++) {
    // The latents entering and leaving each step; the UNet's own output is the unet suites' business.
    for (const key of [`step${k}_unet_in`, `step${k}_latents_after`]) {
      ctx.check(`${label}/${key}`, taps.get(key) ?? [], tensors.get(key)!.data, 'pipelineLatents');
    }
  }
  ctx.check(`${label}/image_out`, result.images[0]!, tensors.get('image_out_np_hwc01')!.data, 'pipelineImage');
}

export interface PipelineGoldenSet {
  /** The diffusers model folder the goldens were made with (its scheduler config is the goldens' scheduler). */
  readonly modelDir: string;
  /**
   * The model compiled from each checkpoint form to check, with the FaceID adapter of the FaceID goldens (one UNet
   * serves them all: IP scale 0 and LoRA 0 otherwise). Several forms label their lines `<form>/<golden>`.
   */
  readonly models: readonly { readonly label: string; readonly compile: () => Promise<CompiledModel> }[];
  readonly goldenFolder: string;
  readonly names: readonly string[];
  readonly conditioning?: ConditioningFromGolden;
}

export async function runPipelineGoldens(ctx: GoldenContext, set: PipelineGoldenSet): Promise<void> {
  const names = set.names.filter((n) => existsSync(path.join(set.goldenFolder, `${n}.safetensors`)));
  const pool = new SessionPool({ memoryBudgetBytes: 8 * 2 ** 30, preferredProviders: goldenPreferredProviders() });
  try {
    for (const model of set.models) {
      const compiled = await model.compile();
      const textEncoders = recipeOf(compiled.architecture).textEncoders.map((recipe) => ({ recipe }));
      for (const name of names) {
        const { tensors, metadata } = await loadGoldenTensors(path.join(set.goldenFolder, `${name}.safetensors`));
        const faceid = replayFromTensors(tensors)!.ipTokens !== undefined;
        const runners = createOrtRunners(pool, compiled, { textEncoders, loraStrengths: compiled.loras.map(() => (faceid ? 1 : 0)) });
        const label = set.models.length > 1 ? `${model.label}/${name}` : name;
        await runGolden(ctx, label, tensors, metadata.notes ?? '', runners, set.modelDir, set.conditioning);
      }
      await pool.releaseAll();
    }
  } finally {
    await pool.releaseAll();
  }
}

export const suite: GoldenSuite = {
  name: 'pipelines',
  async run(ctx) {
    const modelDir = path.join(ctx.fixtures, 'sd15-tiny');
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'faceid-pipelines-'));
    try {
      await runPipelineGoldens(ctx, {
        modelDir,
        models: [{ label: 'diffusers', compile: () => compileModel(modelDir, { cacheDir, ...goldenCompileOptions(), adapter: path.join(ctx.fixtures, 'ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin') }) }],
        goldenFolder: path.join(ctx.fixtures, 'goldens'),
        names: ['pipe_txt2img', 'pipe_img2img', 'pipe_inpaint', 'pipe_txt2img_faceid'],
      });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  },
};
