// The denoising loop against the diffusers pipeline goldens, with the UNet replaced by the recorded UNet outputs:
// checks latents in/out of every step, CFG batching and the IP token path without needing compiled graphs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareTensors } from '../../../test/goldens/compare.ts';
import { loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { TOLERANCES } from '../../../test/goldens/tolerances.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { createScheduler } from '../schedulers/index.ts';
import { TorchCpuGenerator } from '../noise/torch-generator.ts';
import { diffuse } from './diffuse.ts';
import { latentMask } from './image-tensors.ts';
import type { DiffusionRunners, UnetInput } from './runners.ts';

// The fixture model's own scheduler, which every pipeline golden was recorded with.
const schedulerConfig = JSON.parse(readFileSync(fixture('sd15-tiny', 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;

function replayRunners(tensors: Map<string, { data: Float32Array }>, seen: UnetInput[]): DiffusionRunners {
  let step = 0;
  return {
    textEncoders: [],
    unet: {
      inChannels: 4,
      acceptsIpTokens: true,
      takesAddedConditioning: false,
      takesResiduals: false,
      takesAdapterFeatures: false,
      crossAttentionLayers: 16,
      run: async (input) => {
        seen.push(input);
        return tensors.get(`step${step++}_unet_out`)!.data;
      },
    },
    vae: {
      scalingFactor: 0.18215,
      encode: async () => ({ mean: new Float32Array(256), std: new Float32Array(256) }),
      decode: async (_latent, h, w) => new Float32Array(3 * 64 * h * w),
    },
  };
}

for (const name of ['pipe_txt2img', 'pipe_txt2img_faceid']) {
  test(`${name}: every step's UNet input and latents match diffusers (recorded UNet)`, async () => {
    const { tensors } = await loadGoldenTensors(fixture('goldens', `${name}.safetensors`));
    const get = (k: string) => tensors.get(k)!.data;
    const embeds = tensors.get('prompt_embeds')!;
    const rows = embeds.shape[1]!;
    const textRows = 77;
    const channels = embeds.shape[2]!;
    const [, , latentH, latentW] = tensors.get('latents_init')!.shape;
    const steps = [...tensors.keys()].filter((k) => /^step\d+_t$/.test(k)).length;
    const split = (data: Float32Array) => ({ text: data.slice(0, textRows * channels), ip: data.slice(textRows * channels) });
    const cond = split(get('prompt_embeds'));
    const uncond = split(get('negative_prompt_embeds'));
    const seen: UnetInput[] = [];
    const taps = new Map<string, Float32Array>();
    await diffuse(
      {
        width: latentW! * 8,
        height: latentH! * 8,
        steps,
        cfg: 7.5,
        scheduler: createScheduler('DDIM', schedulerConfig),
        cond: { embeddings: cond.text, tokens: textRows },
        uncond: { embeddings: uncond.text, tokens: textRows },
        ...(rows > textRows ? { ip: { cond: cond.ip, uncond: uncond.ip, count: rows - textRows, scale: 1 } } : {}),
        noise: [new TorchCpuGenerator(0)],
        initialLatents: [get('latents_init')],
        tap: (k, v) => taps.set(k, v.slice()),
      },
      replayRunners(tensors, seen),
    );
    assert.equal(seen.length, steps);
    for (let k = 0; k < steps; k++) {
      assert.equal(seen[k]!.timestep, get(`step${k}_t`)[0]);
      for (const key of [`step${k}_unet_in`, `step${k}_latents_after`]) {
        const { error } = compareTensors(taps.get(key)!, get(key), 'rel-std');
        assert.ok(error <= TOLERANCES.pipelineLatents.value, `${key}: err ${error}`);
      }
    }
    const first = seen[0]!;
    assert.deepEqual(first.sampleShape, [2, 4, latentH, latentW]);
    assert.deepEqual(first.encoderHiddenStates.subarray(0, textRows * channels), uncond.text, 'batch order is [uncond, cond]');
    if (rows > textRows) {
      assert.equal(first.ip?.count, rows - textRows);
      assert.deepEqual(first.ip?.tokens.subarray((rows - textRows) * channels), cond.ip);
      assert.equal(first.ip?.scale.length, 16);
    } else {
      assert.equal(first.ip, undefined);
    }
  });
}

test('bad sizes, inpaint without image and FaceID without an adapter graph are refused before any work', async () => {
  const { tensors } = await loadGoldenTensors(fixture('goldens', 'pipe_txt2img.safetensors'));
  const seen: UnetInput[] = [];
  const runners = replayRunners(tensors, seen);
  const base = {
    width: 64, height: 64, steps: 4, cfg: 7.5, scheduler: createScheduler('DDIM', schedulerConfig),
    cond: { embeddings: new Float32Array(77 * 64), tokens: 77 }, uncond: { embeddings: new Float32Array(77 * 64), tokens: 77 },
    noise: [new TorchCpuGenerator(0)],
  };
  await assert.rejects(diffuse({ ...base, width: 513 }, runners), { code: 'generate.invalid-parameter' });
  await assert.rejects(diffuse({ ...base, mask: { data: new Float32Array(4096), featherPx: 0 } }, runners), { code: 'generate.invalid-parameter' });
  const noIp = { ...runners, unet: { ...runners.unet, acceptsIpTokens: false } };
  await assert.rejects(diffuse({ ...base, ip: { cond: new Float32Array(256), uncond: new Float32Array(256), count: 4, scale: 1 } }, noIp), { code: 'generate.unsupported-model' });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(diffuse({ ...base, signal: controller.signal }, runners), { code: 'cancelled' });
  assert.equal(seen.length, 0);
});

test('FaceID tokens from the projection become the IP conditioning (count from the token axis)', async () => {
  const { ipConditioning } = await import('./generate.ts');
  const cond = { data: new Float32Array(4 * 64).fill(1), shape: [1, 4, 64] };
  const uncond = { data: new Float32Array(4 * 64), shape: [1, 4, 64] };
  const ip = ipConditioning({ cond, uncond }, 0.8);
  assert.equal(ip.count, 4);
  assert.equal(ip.scale, 0.8);
  assert.equal(ip.cond, cond.data);
  assert.equal(ip.uncond, uncond.data);
});

test('a 9-channel inpainting UNet gets [latents, latent mask, masked-image latents] and no latent blending', async () => {
  const [height, width, h, w] = [64, 64, 8, 8];
  const plane = h * w;
  const image = Float32Array.from({ length: 3 * height * width }, (_, i) => Math.sin(i * 0.01));
  const mask = Float32Array.from({ length: height * width }, (_, p) => (Math.floor(p / width) >= 16 && p % width >= 24 ? 1 : 0));
  const mean = Float32Array.from({ length: 4 * plane }, (_, i) => Math.cos(i * 0.3));
  const std = new Float32Array(4 * plane).fill(0.1);
  const encoded: Float32Array[] = [];
  const seen: UnetInput[] = [];
  const outputs: Float32Array[] = [];
  const runners: DiffusionRunners = {
    textEncoders: [],
    unet: {
      inChannels: 9,
      acceptsIpTokens: false,
      takesAddedConditioning: false,
      takesResiduals: false,
      takesAdapterFeatures: false,
      crossAttentionLayers: 16,
      run: async (input) => {
        seen.push(input);
        const [rows, channels] = input.sampleShape;
        const out = new Float32Array(rows * 4 * plane);
        // Reads every channel, so a misplaced mask or masked-image latent changes the trajectory.
        for (let n = 0; n < rows; n++) {
          for (let k = 0; k < 4 * plane; k++) out[n * 4 * plane + k] = 0.1 * input.sample[n * channels * plane + k]! + 0.01 * input.sample[n * channels * plane + 4 * plane + (k % plane)]! + 0.02 * input.sample[n * channels * plane + 5 * plane + k]!;
        }
        outputs.push(out);
        return out;
      },
    },
    vae: {
      scalingFactor: 0.18215,
      encode: async (img) => (encoded.push(img), { mean, std }),
      decode: async (_latent, lh, lw) => new Float32Array(3 * 64 * lh * lw),
    },
  };
  const request = {
    width, height, steps: 2, cfg: 7.5, scheduler: createScheduler('DDIM', schedulerConfig),
    cond: { embeddings: new Float32Array(77 * 64), tokens: 77 }, uncond: { embeddings: new Float32Array(77 * 64), tokens: 77 },
    init: { image, strength: 1 }, mask: { data: mask, featherPx: 0 },
    noise: [new TorchCpuGenerator(7)],
  };
  const result = await diffuse(request, runners);

  // At strength 1 diffusers encodes only the masked image (source kept where mask < 0.5, 0 where it repaints).
  assert.equal(encoded.length, 1);
  assert.deepEqual(encoded[0], image.map((v, i) => (mask[i % (height * width)]! < 0.5 ? v : 0)));
  // Draws: x_T first, then the masked-image latent sample.
  const generator = new TorchCpuGenerator(7);
  const scheduler = createScheduler('DDIM', schedulerConfig);
  scheduler.setTimesteps(2);
  const xT = generator.randn([1, 4, h, w]).map((v) => Math.fround(v * scheduler.initNoiseSigma));
  const eps = generator.randn([1, 4, h, w]);
  const maskedLatents = mean.map((m, i) => Math.fround(Math.fround(m + Math.fround(std[i]! * eps[i]!)) * 0.18215));
  const first = seen[0]!;
  assert.deepEqual(first.sampleShape, [2, 9, h, w]);
  for (let n = 0; n < 2; n++) {
    const row = first.sample.subarray(n * 9 * plane, (n + 1) * 9 * plane);
    assert.deepEqual(row.subarray(0, 4 * plane), scheduler.scaleModelInput(xT, scheduler.timesteps[0]!));
    assert.deepEqual(row.subarray(4 * plane, 5 * plane), latentMask(mask, height, width, 0));
    assert.deepEqual(row.subarray(5 * plane), maskedLatents);
  }
  // No latent blending: the latents follow the scheduler alone.
  let latents: Float32Array = xT;
  scheduler.timesteps.forEach((t, i) => {
    const out = outputs[i]!;
    const guided = out.subarray(0, 4 * plane).map((u, k) => Math.fround(u + Math.fround(7.5 * Math.fround(out[4 * plane + k]! - u))));
    latents = scheduler.step(guided, t, latents, { randn: () => new Float32Array(0) }, [1, 4, h, w]).prevSample;
  });
  assert.deepEqual(result.latents[0], latents);

  // Without a mask an inpainting model has nothing to repaint: refused before any work.
  const { mask: _unused, ...img2img } = request;
  const before = seen.length;
  await assert.rejects(diffuse({ ...img2img, scheduler: createScheduler('DDIM', schedulerConfig) }, runners), { code: 'generate.invalid-parameter' });
  assert.equal(seen.length, before);
});
