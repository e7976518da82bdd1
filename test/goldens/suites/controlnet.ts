// ControlNet graphs against control/goldens: the residuals (and the hint embedding) at each golden conditioning scale
// from every file layout (the diffusers folder; lllyasviel's fp16 single files against their `_fp16w` twin), the
// UNet fed those residuals (and zeros = no control), and the FaceID UNet fed the text-only ControlNet's residuals.
// Scales, widths and the skip count are read from the goldens and the files, never assumed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileControlNet } from '../../../src-main/engine/models/compile-control.ts';
import { CONTROL_MID_OUTPUT, controlDownOutput } from '../../../src-main/engine/models/controlnet.ts';
import { recipeOf } from '../../../src-main/engine/models/architectures.ts';
import { recordedNoise } from '../../../src-main/engine/noise/recorded-noise.ts';
import { SessionPool } from '../../../src-main/engine/onnx/session-pool.ts';
import { diffuse } from '../../../src-main/engine/pipeline/diffuse.ts';
import { replayFromTensors, replayIp } from '../../../src-main/engine/pipeline/golden-replay.ts';
import { createControlNetRunner, createOrtRunners } from '../../../src-main/engine/pipeline/ort-runners.ts';
import { createSchedulerByClass } from '../../../src-main/engine/schedulers/index.ts';
import { parseSchedulerConfig } from '../../../src-main/engine/schedulers/scheduler.ts';
import { compiledFixture, filled, floatTensor, goldenPreferredProviders, sessionFor, splitTextAndIp } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';
import { tmpdir } from 'node:os';
import type { ConfigJson } from '../../../src-main/engine/models/config.ts';

type Golden = Awaited<ReturnType<typeof loadGoldenTensors>>['tensors'];
const pad2 = (k: number) => String(k).padStart(2, '0');

/** The diffusers ControlNet folder and the original-form files in control/, with the golden each must match. */
function controlSources(control: string): { label: string; file: string; golden: 'controlnet' | 'controlnet_fp16w'; needsConfig: boolean }[] {
  const entries = readdirSync(control, { withFileTypes: true });
  const folder = entries.find((e) => e.isDirectory() && existsSync(path.join(control, e.name, 'config.json')) && /"_class_name":\s*"ControlNetModel"/u.test(readFileSync(path.join(control, e.name, 'config.json'), 'utf8')));
  const originals = entries.filter((e) => e.isFile() && /^control_.*\.(safetensors|pth)$/u.test(e.name)).map((e) => e.name).sort();
  return [
    ...(folder ? [{ label: 'diffusers', file: path.join(control, folder.name), golden: 'controlnet' as const, needsConfig: false }] : []),
    // The original files are fp16 (fixtures README §1): their exact outputs are the `_fp16w` golden's.
    ...originals.map((name) => ({ label: `original ${path.extname(name).slice(1)}`, file: path.join(control, name), golden: /fp16/u.test(name) ? ('controlnet_fp16w' as const) : ('controlnet' as const), needsConfig: true })),
  ];
}

export const suite: GoldenSuite = {
  name: 'controlnet',
  async run(ctx) {
    const control = path.join(ctx.fixtures, 'control');
    if (!existsSync(path.join(control, 'goldens', 'controlnet.safetensors'))) return;
    const goldens: Record<string, Golden> = {};
    for (const stem of ['controlnet', 'controlnet_fp16w', 'unet_controlnet', 'controlnet_ip']) goldens[stem] = (await loadGoldenTensors(path.join(control, 'goldens', `${stem}.safetensors`))).tensors;
    const g = (stem: string, name: string) => goldens[stem]!.get(name)!;
    const scales = [...goldens['controlnet']!.keys()].filter((n) => n.startsWith('mid_res_s')).map((n) => n.slice('mid_res_s'.length));
    const sources = controlSources(control);
    const diffusersFolder = sources.find((s) => s.label === 'diffusers')?.file;
    const config = diffusersFolder ? (JSON.parse(readFileSync(path.join(diffusersFolder, 'config.json'), 'utf8')) as ConfigJson) : undefined;
    const cacheDir = path.join(tmpdir(), 'faceid-golden-compile-cache');

    for (const source of sources) {
      const compiled = await compileControlNet(source.file, { cacheDir, ...(source.needsConfig && config ? { config } : {}) });
      const session = await sessionFor(compiled.path);
      const skips = session.outputNames.filter((n) => n.startsWith('down_res_')).length;
      for (const scale of scales) {
        const out = await session.run({
          sample: floatTensor(g(source.golden, 'latent')),
          timestep: floatTensor(g(source.golden, 'timestep')),
          encoder_hidden_states: floatTensor(g(source.golden, 'encoder_hidden_states')),
          controlnet_cond: floatTensor(g(source.golden, 'controlnet_cond')),
          conditioning_scale: floatTensor({ data: Float32Array.of(Number(scale)), shape: [1] }),
        });
        for (let k = 0; k < skips; k++) ctx.check(`${source.label}/down_res_${pad2(k)}@s=${scale}`, out[controlDownOutput(k)]!.data as Float32Array, g(source.golden, `down_res_${pad2(k)}_s${scale}`).data, 'controlNet');
        ctx.check(`${source.label}/mid_res@s=${scale}`, out[CONTROL_MID_OUTPUT]!.data as Float32Array, g(source.golden, `mid_res_s${scale}`).data, 'controlNet');
      }
    }

    // The UNet with residual inputs: the golden residuals at each scale, and zeros (= no control).
    const residualFeeds = (stem: string, scale: string | undefined, skips: number) => {
      const feeds: Record<string, ReturnType<typeof floatTensor>> = {};
      for (let k = 0; k < skips; k++) {
        const r = g('controlnet', `down_res_${pad2(k)}_s${scales[0]}`);
        feeds[`down_residual_${k}`] = floatTensor(scale === undefined ? { data: new Float32Array(r.data.length), shape: r.shape } : g(stem, `down_res_${pad2(k)}_s${scale}`));
      }
      const mid = g('controlnet', `mid_res_s${scales[0]}`);
      feeds['mid_residual'] = floatTensor(scale === undefined ? { data: new Float32Array(mid.data.length), shape: mid.shape } : g(stem, `mid_res_s${scale}`));
      return feeds;
    };
    const skipCount = [...goldens['controlnet']!.keys()].filter((n) => n.startsWith('down_res_') && n.endsWith(`_s${scales[0]}`)).length;
    const unet = await sessionFor((await compiledFixture(ctx.fixtures, 'diffusers', false, [], { controlResiduals: true })).unet.path);
    const base = { sample: floatTensor(g('unet_controlnet', 'latent')), timestep: floatTensor(g('unet_controlnet', 'timestep')), encoder_hidden_states: floatTensor(g('unet_controlnet', 'encoder_hidden_states')) };
    for (const scale of scales) {
      const out = await unet.run({ ...base, ...residualFeeds('controlnet', scale, skipCount) });
      ctx.check(`unet+residuals@s=${scale}`, out['out_sample']!.data as Float32Array, g('unet_controlnet', `out_s${scale}`).data, 'unet');
    }
    const none = await unet.run({ ...base, ...residualFeeds('controlnet', undefined, skipCount) });
    ctx.check('unet+zero_residuals=no_control', none['out_sample']!.data as Float32Array, g('unet_controlnet', 'out_no_control').data, 'unet');

    // ControlNet + FaceID: the ControlNet sees the text only; the FaceID UNet (IP scale 1, its LoRA at 1) adds its residuals.
    const faceid = await compiledFixture(ctx.fixtures, 'diffusers', true, [], { controlResiduals: true });
    const faceidUnet = await sessionFor(faceid.unet.path);
    const textTokens = g('controlnet_ip', 'encoder_hidden_states_text').shape[1]!;
    const { text, ipTokens } = splitTextAndIp(g('controlnet_ip', 'encoder_hidden_states_concat'), textTokens);
    const ipFeeds = { sample: floatTensor(g('controlnet_ip', 'latent')), timestep: floatTensor(g('controlnet_ip', 'timestep')), encoder_hidden_states: text, ip_tokens: ipTokens, ip_scale: filled(faceid.unet.crossAttentionLayers, 1), lora_strengths: filled(faceid.loras.length, 1) };
    const withControl = await faceidUnet.run({ ...ipFeeds, ...residualFeeds('controlnet', '1.0', skipCount) });
    ctx.check('faceid_unet+text_only_controlnet', withControl['out_sample']!.data as Float32Array, g('controlnet_ip', 'out').data, 'controlNet');
    const withoutControl = await faceidUnet.run({ ...ipFeeds, ...residualFeeds('controlnet', undefined, skipCount) });
    ctx.check('faceid_unet_no_control', withoutControl['out_sample']!.data as Float32Array, g('controlnet_ip', 'out_no_control').data, 'controlNet');

    if (diffusersFolder) await runControlPipelines(ctx, control, await compileControlNet(diffusersFolder, { cacheDir }), faceid);
  },
};

/** The control units a pipeline golden's notes describe: one unit (scale, window) or several (`unit N image …`). */
function unitsOf(notes: string, golden: Golden, main: Golden): { image: { data: Float32Array; shape: readonly number[] }; weight: number; start: number; end: number }[] {
  const several = [...notes.matchAll(/unit (\d+) image \S+, scale ([\d.]+), window \[([\d.]+), ([\d.]+)\]/gu)];
  if (several.length > 0) return several.map((m) => ({ image: golden.get(`control_png_u8_unit${m[1]}`)!, weight: Number(m[2]), start: Number(m[3]), end: Number(m[4]) }));
  const weight = Number(/conditioning_scale = ([\d.]+) \*/u.exec(notes)?.[1]);
  const end = Number(/control_guidance_end ([\d.]+)/u.exec(notes)?.[1] ?? 1);
  return [{ image: golden.get('control_png_u8') ?? main.get('control_png_u8')!, weight, start: 0, end }];
}

/** The ControlNet pipelines replayed through diffuse(): recorded latents and prompt embeddings (the lean goldens take
 *  the single-unit golden's), the control PNG as the pipeline prepares it (RGB ÷ 255, no resampling at its size);
 *  every step's conditioning scale exact, latents and image at the pipeline tolerances. */
async function runControlPipelines(ctx: Parameters<GoldenSuite['run']>[0], control: string, controlnet: Awaited<ReturnType<typeof compileControlNet>>, unet: Awaited<ReturnType<typeof compiledFixture>>): Promise<void> {
  const pool = new SessionPool({ memoryBudgetBytes: 8 * 2 ** 30, preferredProviders: goldenPreferredProviders() });
  try {
    const main = await loadGoldenTensors(path.join(control, 'goldens', 'pipe_controlnet_txt2img.safetensors'));
    const mainReplay = replayFromTensors(main.tensors)!;
    const scheduler = JSON.parse(readFileSync(path.join(ctx.fixtures, 'sd15-tiny', 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
    const runner = createControlNetRunner(pool, controlnet);
    for (const name of ['pipe_controlnet_txt2img', 'pipe_controlnet_txt2img_end05', 'pipe_multicontrolnet_txt2img', 'pipe_controlnet_faceid_txt2img']) {
      const file = path.join(control, 'goldens', `${name}.safetensors`);
      if (!existsSync(file)) continue;
      const { tensors, metadata } = await loadGoldenTensors(file);
      const replay = replayFromTensors(tensors) ?? mainReplay;
      const [height, width] = tensors.get('image_out_np_hwc01')!.shape as [number, number];
      const steps = [...tensors.keys()].filter((k) => /^step\d+_cond_scale$/u.test(k)).length;
      const units = unitsOf(metadata.notes ?? '', tensors, main.tensors).map((unit) => ({ runner, image: hwcToChw(unit.image.data, height, width), channels: 3, weight: unit.weight, start: unit.start, end: unit.end }));
      const faceid = replay.ipTokens !== undefined;
      const runners = createOrtRunners(pool, unet, { textEncoders: [{ recipe: recipeOf(unet.architecture).textEncoders[0]! }], loraStrengths: unet.loras.map(() => (faceid ? 1 : 0)) });
      const taps = new Map<string, Float32Array>();
      const result = await diffuse(
        {
          width,
          height,
          steps,
          cfg: Number(/cfg ([\d.]+)/u.exec(metadata.notes ?? '')?.[1] ?? 7.5),
          scheduler: createSchedulerByClass(String(scheduler['_class_name']), parseSchedulerConfig(scheduler))!,
          cond: replay.cond,
          uncond: replay.uncond,
          ...(faceid ? { ip: replayIp(replay, 1)! } : {}),
          control: units,
          noise: [recordedNoise([], name)],
          initialLatents: [tensors.get('latents_init')!.data],
          tap: (k, v) => taps.set(k, v.slice()),
        },
        runners,
      );
      for (let k = 0; k < steps; k++) {
        ctx.check(`${name}/step${k}_cond_scale`, taps.get(`step${k}_cond_scale`) ?? [], tensors.get(`step${k}_cond_scale`)!.data, 'schedulerTimesteps');
        for (const key of [`step${k}_unet_out`, `step${k}_latents_after`]) {
          if (tensors.has(key)) ctx.check(`${name}/${key}`, taps.get(key) ?? [], tensors.get(key)!.data, 'pipelineLatents');
        }
      }
      ctx.check(`${name}/image_out`, result.images[0]!, tensors.get('image_out_np_hwc01')!.data, 'pipelineImage');
    }
  } finally {
    await pool.releaseAll();
  }
}

/** An 8-bit HWC RGB picture as the pipeline's control tensor: CHW in [0, 1]. */
function hwcToChw(hwc: Float32Array, height: number, width: number): Float32Array {
  const plane = height * width;
  const chw = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) chw[c * plane + i] = Math.fround(hwc[3 * i + c]! / 255);
  return chw;
}
