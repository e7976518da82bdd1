// T2I-Adapter graphs against control/goldens: the four features from both file layouts (the diffusers folder and
// TencentARC's .pth), the UNet fed the scaled features (and without), and the adapter pipeline replayed through
// diffuse() (features computed once, × the golden's scale, every step). Scales and sizes come from the goldens.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recipeOf } from '../../../src-main/engine/models/architectures.ts';
import { compileT2IAdapter } from '../../../src-main/engine/models/compile-control.ts';
import { t2iFeatureOutput } from '../../../src-main/engine/models/t2i-adapter.ts';
import { recordedNoise } from '../../../src-main/engine/noise/recorded-noise.ts';
import { SessionPool } from '../../../src-main/engine/onnx/session-pool.ts';
import { diffuse } from '../../../src-main/engine/pipeline/diffuse.ts';
import { replayFromTensors } from '../../../src-main/engine/pipeline/golden-replay.ts';
import { createOrtRunners } from '../../../src-main/engine/pipeline/ort-runners.ts';
import { createSchedulerByClass } from '../../../src-main/engine/schedulers/index.ts';
import { parseSchedulerConfig } from '../../../src-main/engine/schedulers/scheduler.ts';
import { readFileSync } from 'node:fs';
import { compiledFixture, floatTensor, goldenPreferredProviders, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

type Tensor = { data: Float32Array; shape: readonly number[] };

export const suite: GoldenSuite = {
  name: 't2i-adapter',
  async run(ctx) {
    const control = path.join(ctx.fixtures, 'control');
    if (!existsSync(path.join(control, 'goldens', 't2i_adapter.safetensors'))) return;
    const golden = (await loadGoldenTensors(path.join(control, 'goldens', 't2i_adapter.safetensors'))).tensors;
    const entries = readdirSync(control, { withFileTypes: true });
    const sources = [
      ...entries.filter((e) => e.isDirectory() && existsSync(path.join(control, e.name, 'config.json')) && readFileSync(path.join(control, e.name, 'config.json'), 'utf8').includes('"T2IAdapter"')).map((e) => ({ label: 'diffusers', file: path.join(control, e.name) })),
      ...entries.filter((e) => e.isFile() && /^t2iadapter.*\.(pth|safetensors)$/u.test(e.name)).map((e) => ({ label: `original ${path.extname(e.name).slice(1)}`, file: path.join(control, e.name) })),
    ];
    const cacheDir = path.join(tmpdir(), 'faceid-golden-compile-cache');
    const levels = [...golden.keys()].filter((k) => /^feature_\d+$/u.test(k)).length;
    for (const source of sources) {
      const compiled = await compileT2IAdapter(source.file, { cacheDir });
      const out = await (await sessionFor(compiled.path)).run({ image: floatTensor(golden.get('input')!) });
      for (let k = 0; k < levels; k++) ctx.check(`${source.label}/feature_${k}`, out[t2iFeatureOutput(k)]!.data as Float32Array, golden.get(`feature_${k}`)!.data, 'controlNet');
    }

    // The UNet with feature inputs: the golden's scaled features, and zeros (= no adapter).
    const unetGolden = (await loadGoldenTensors(path.join(control, 'goldens', 'unet_t2i_adapter.safetensors'))).tensors;
    const unet = await sessionFor((await compiledFixture(ctx.fixtures, 'diffusers', false, [], { adapterFeatures: true })).unet.path);
    const base = { sample: floatTensor(unetGolden.get('latent')!), timestep: floatTensor(unetGolden.get('timestep')!), encoder_hidden_states: floatTensor(unetGolden.get('encoder_hidden_states')!) };
    const features = (zero: boolean) => Object.fromEntries(Array.from({ length: levels }, (_, k) => {
      const r = unetGolden.get(`adapter_residual_${k}`)!;
      return [`adapter_feature_${k}`, floatTensor(zero ? { data: new Float32Array(r.data.length), shape: r.shape } : r)];
    }));
    ctx.check('unet+features', (await unet.run({ ...base, ...features(false) }))['out_sample']!.data as Float32Array, unetGolden.get('out')!.data, 'controlNet');
    ctx.check('unet+zero_features=no_adapter', (await unet.run({ ...base, ...features(true) }))['out_sample']!.data as Float32Array, unetGolden.get('out_no_adapter')!.data, 'controlNet');

    // The adapter pipeline: features from our adapter graph on the golden's input, one unit at the scale in the golden's notes.
    const pipeFile = path.join(control, 'goldens', 'pipe_t2i_txt2img.safetensors');
    if (!existsSync(pipeFile) || sources.length === 0) return;
    const { tensors, metadata } = await loadGoldenTensors(pipeFile);
    const notes = metadata.notes ?? '';
    const scale = Number(/adapter_conditioning_scale ([\d.]+)|x ([\d.]+), repeated/u.exec(notes)?.slice(1).find((v) => v !== undefined) ?? 0.8);
    const adapter = await sessionFor((await compileT2IAdapter(sources[0]!.file, { cacheDir })).path);
    const raw = await adapter.run({ image: floatTensor(tensors.get('adapter_input')!) });
    const pipeFeatures = Array.from({ length: levels }, (_, k) => {
      const f = raw[t2iFeatureOutput(k)]!;
      return { data: f.data as Float32Array, shape: f.dims as unknown as readonly [number, number, number, number] };
    });
    for (let k = 0; k < levels; k++) ctx.check(`pipe_t2i_txt2img/adapter_feature_${k}`, raw[t2iFeatureOutput(k)]!.data as Float32Array, (tensors.get(`adapter_feature_${k}`) as Tensor).data, 'controlNet');
    const pool = new SessionPool({ memoryBudgetBytes: 8 * 2 ** 30, preferredProviders: goldenPreferredProviders() });
    try {
      const compiled = await compiledFixture(ctx.fixtures, 'diffusers', false, [], { adapterFeatures: true });
      const runners = createOrtRunners(pool, compiled, { textEncoders: [{ recipe: recipeOf(compiled.architecture).textEncoders[0]! }], loraStrengths: [] });
      const replay = replayFromTensors(tensors)!;
      const scheduler = JSON.parse(readFileSync(path.join(ctx.fixtures, 'sd15-tiny', 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
      const [height, width] = tensors.get('image_out_np_hwc01')!.shape as [number, number];
      const steps = [...tensors.keys()].filter((k) => /^step\d+_t$/u.test(k)).length;
      const taps = new Map<string, Float32Array>();
      const result = await diffuse(
        {
          width,
          height,
          steps,
          cfg: Number(/cfg ([\d.]+)/u.exec(notes)?.[1] ?? 7.5),
          scheduler: createSchedulerByClass(String(scheduler['_class_name']), parseSchedulerConfig(scheduler))!,
          cond: replay.cond,
          uncond: replay.uncond,
          adapters: [{ features: pipeFeatures, weight: scale, start: 0, end: 1 }],
          noise: [recordedNoise([], 'pipe_t2i_txt2img')],
          initialLatents: [tensors.get('latents_init')!.data],
          tap: (k, v) => taps.set(k, v.slice()),
        },
        runners,
      );
      for (let k = 0; k < steps; k++) {
        for (const key of [`step${k}_unet_in`, `step${k}_latents_after`]) if (tensors.has(key)) ctx.check(`pipe_t2i_txt2img/${key}`, taps.get(key) ?? [], tensors.get(key)!.data, 'pipelineLatents');
      }
      ctx.check('pipe_t2i_txt2img/image_out', result.images[0]!, tensors.get('image_out_np_hwc01')!.data, 'pipelineImage');
    } finally {
      await pool.releaseAll();
    }
  },
};
