// The hires fix: the latent upscale against torch's documented F.interpolate (reference numbers computed here from
// the formula, independently of latent-upscale.ts), the second pass starting from the upscaled recorded first-pass
// latents of the diffusers txt2img golden, and a whole two-pass run on the tiny model (size and metadata).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import { hiresSize } from '../../../src-preload/contract/generation.ts';
import { recallInfotext } from '../../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';
import { loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { SessionPool } from '../onnx/session-pool.ts';
import { TorchCpuGenerator } from '../noise/torch-generator.ts';
import { createScheduler } from '../schedulers/index.ts';
import { diffuse } from './diffuse.ts';
import { generate, type PassStepEvent } from './generate.ts';
import { hiresInit, hiresScheduleSteps } from './hires-fix.ts';
import { upscaleLatents } from './latent-upscale.ts';
import { ModelLoader } from './model-loader.ts';
import type { DiffusionRunners, UnetInput } from './runners.ts';

/**
 * torch's upsample_bicubic2d (align_corners=False) written as a matrix per axis: output index d reads the input at
 * x = (d + ½)·in/out − ½; the four taps floor(x)−1 … floor(x)+2, clamped to the border, weigh
 * W(s) = (A+2)|s|³ − (A+3)|s|² + 1 for |s| ≤ 1 and A|s|³ − 5A|s|² + 8A|s| − 4A for 1 < |s| < 2, A = −0.75,
 * with s the tap's distance from x. Weights of clamped taps add up on the border sample. torch's CPU kernel forms
 * the scale in/out and x in the tensor's dtype (float32): with latents up to ±15 and neighbours far apart, the exact
 * 2/3 instead of float32's 0.6666667 alone moves outputs by 1.5e-5, so x is rounded to float32 as torch rounds it.
 */
function bicubicMatrix(inSize: number, outSize: number): Float64Array {
  const A = -0.75;
  const kernel = (s: number): number => {
    const a = Math.abs(s);
    if (a <= 1) return (A + 2) * a ** 3 - (A + 3) * a ** 2 + 1;
    if (a < 2) return A * a ** 3 - 5 * A * a ** 2 + 8 * A * a - 4 * A;
    return 0;
  };
  const m = new Float64Array(outSize * inSize);
  for (let d = 0; d < outSize; d++) {
    const f = Math.fround;
    const x = f(f(f(inSize / outSize) * (d + 0.5)) - 0.5);
    for (let tap = Math.floor(x) - 1; tap <= Math.floor(x) + 2; tap++) m[d * inSize + Math.min(Math.max(tap, 0), inSize - 1)]! += kernel(x - tap);
  }
  return m;
}

/** nearest-exact: output index d takes input floor((d + ½)·in/out). */
function nearestExactMatrix(inSize: number, outSize: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  for (let d = 0; d < outSize; d++) m[d * inSize + Math.min(Math.floor(((d + 0.5) * inSize) / outSize), inSize - 1)] = 1;
  return m;
}

/** Every plane of x [planes, h, w] as R · plane · Cᵀ. */
function applyMatrices(x: Float32Array, h: number, w: number, rows: Float64Array, oh: number, cols: Float64Array, ow: number): Float64Array {
  const planes = x.length / (h * w);
  const out = new Float64Array(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let sum = 0;
        for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) sum += rows[i * h + y]! * x[p * h * w + y * w + xx]! * cols[j * w + xx]!;
        out[p * oh * ow + i * ow + j] = sum;
      }
    }
  }
  return out;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('the hires schedule runs exactly the hires steps asked for (A1111\'s fixed img2img steps), however small the denoise', () => {
  for (const [steps, denoise] of [[1, 0.7], [4, 0.5], [20, 0.35], [7, 0.999], [7, 1], [150, 0.3], [3, 0.3]] as const) {
    const total = hiresScheduleSteps(steps, denoise);
    assert.equal(Math.min(Math.floor(total * denoise), total), steps, `${steps} steps at ${denoise}: a schedule of ${total}`);
    assert.ok(total === steps || Math.floor((total - 1) * denoise) < steps, 'the smallest such schedule');
  }
});

test('bicubic 2×2 → 4×4 gives torch\'s numbers (worked by hand from the A = −0.75 kernel)', () => {
  // x = −0.25 for output 0: taps −2…1 → clamped 0,0,0,1 with weights W(1.75) + W(0.75) + W(0.25) = 1.10546875 and
  // W(1.25) = −0.10546875; so row [1, 2] → 0.89453125, row [3, 4] → 2.89453125, and out[0][0] = 0.68359375.
  const out = upscaleLatents(Float32Array.from([1, 2, 3, 4]), { channels: 1, height: 2, width: 2 }, 4, 4, 'bicubic');
  const expected = [0.68359375, 1.015625, 1.5625, 1.89453125, 1.34765625, 1.6796875, 2.2265625, 2.55859375, 2.44140625, 2.7734375, 3.3203125, 3.65234375, 3.10546875, 3.4375, 3.984375, 4.31640625];
  assert.ok(maxAbs(out, expected) <= 1e-6, `max diff ${maxAbs(out, expected)}`);
});

test('latent upscale of the diffusers golden\'s first-pass latents equals torch\'s bicubic and nearest-exact to 1e-5', async () => {
  const { tensors } = await loadGoldenTensors(fixture('goldens', 'pipe_txt2img.safetensors'));
  const last = [...tensors.keys()].filter((k) => /^step\d+_latents_after$/u.test(k)).sort((a, b) => Number(/\d+/u.exec(b)![0]) - Number(/\d+/u.exec(a)![0]))[0]!;
  const { data, shape } = tensors.get(last)!;
  const [, channels, h, w] = shape as [number, number, number, number];
  for (const scale of [1.5, 2]) {
    const target = hiresSize(w * 8, h * 8, scale);
    const oh = target.height / 8;
    const ow = target.width / 8;
    const bicubic = upscaleLatents(data, { channels, height: h, width: w }, oh, ow, 'bicubic');
    const reference = applyMatrices(data, h, w, bicubicMatrix(h, oh), oh, bicubicMatrix(w, ow), ow);
    assert.ok(maxAbs(bicubic, reference) <= 1e-5, `bicubic ×${scale}: max diff ${maxAbs(bicubic, reference)}`);
    const nearest = upscaleLatents(data, { channels, height: h, width: w }, oh, ow, 'nearest-exact');
    const nearestReference = applyMatrices(data, h, w, nearestExactMatrix(h, oh), oh, nearestExactMatrix(w, ow), ow);
    assert.equal(maxAbs(nearest, nearestReference), 0, `nearest-exact ×${scale}`);
  }
});

test('the second pass starts from the upscaled first-pass latents, noised at its denoising strength', async () => {
  const { tensors } = await loadGoldenTensors(fixture('goldens', 'pipe_txt2img.safetensors'));
  const last = [...tensors.keys()].filter((k) => /^step\d+_latents_after$/u.test(k)).sort().at(-1)!;
  const { data, shape } = tensors.get(last)!;
  const [, , h, w] = shape as [number, number, number, number];
  const from = { width: w * 8, height: h * 8 };
  const to = hiresSize(from.width, from.height, 1.5);
  const init = await hiresInit({ images: [], latents: [data] }, from, to, 'Latent (bicubic)', 0.5);
  const schedulerConfig = JSON.parse(readFileSync(fixture('sd15-tiny', 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;
  const seen: UnetInput[] = [];
  const runners: DiffusionRunners = {
    textEncoders: [],
    unet: { inChannels: 4, acceptsIpTokens: false, takesAddedConditioning: false, takesResiduals: false, takesAdapterFeatures: false, crossAttentionLayers: 16, run: async (input) => (seen.push(input), new Float32Array(input.sample.length)) },
    vae: { scalingFactor: 0.18215, encode: async () => assert.fail('latent upscalers do not encode'), decode: async (_l, lh, lw) => new Float32Array(3 * 64 * lh * lw) },
  };
  const taps = new Map<string, Float32Array>();
  const text = { embeddings: new Float32Array(77 * 64), tokens: 77 };
  await diffuse({ ...to, steps: 4, cfg: 1, scheduler: createScheduler('DDIM', schedulerConfig), cond: text, uncond: text, init, noise: [new TorchCpuGenerator(3)], tap: (k, v) => taps.set(k, v.slice()) }, runners);
  assert.equal(seen.length, 2, '4 steps at strength 0.5 run 2');
  assert.deepEqual(seen[0]!.sampleShape, [1, 4, to.height / 8, to.width / 8]);
  const scheduler = createScheduler('DDIM', schedulerConfig);
  scheduler.setTimesteps(4);
  const reference = applyMatrices(data, h, w, bicubicMatrix(h, to.height / 8), to.height / 8, bicubicMatrix(w, to.width / 8), to.width / 8);
  const eps = new TorchCpuGenerator(3).randn([1, 4, to.height / 8, to.width / 8]);
  const expected = scheduler.addNoise(Float32Array.from(reference), eps, seen[0]!.timestep);
  assert.ok(maxAbs(taps.get('latents_init0')!, expected) <= 1e-5, `start latents: max diff ${maxAbs(taps.get('latents_init0')!, expected)}`);
});

test('a two-pass run on the tiny model: target size, progress per pass, and the A1111 hires keys written and read back', async (t) => {
  const loader = new ModelLoader({ cacheDir: tempFolder(t, 'faceid-hires-'), pool: new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] }) });
  const passes = new Map<string, number>();
  for (const upscaler of ['Latent (bicubic)', 'Lanczos'] as const) {
    const [image] = await generate(
      { model: fixture('sd15-tiny'), prompt: 'a photo of a woman', seed: 11, steps: 3, cfg: 5, sampler: 'Euler a', width: 64, height: 80, hires: { scale: 1.5, steps: 4, denoise: 0.5, upscaler } },
      { loader, onStep: (e: PassStepEvent) => void passes.set(e.pass, e.total) },
    );
    const meta = await sharp(image!.png).metadata();
    assert.deepEqual([meta.width, meta.height, image!.width, image!.height], [96, 120, 96, 120], upscaler);
    assert.deepEqual(Object.fromEntries(passes), { generate: 3, hires: 4 }, 'the hires pass runs the 4 steps asked for, as A1111 does');
    const parameters = readPngTexts(image!.png).parameters!;
    assert.match(parameters, new RegExp(`Size: 64x80, .*Denoising strength: 0\\.5, .*Hires upscale: 1\\.5, Hires steps: 4, Hires upscaler: ${upscaler.replace(/[()]/gu, '\\$&')}`, 'u'));
    const recalled = recallInfotext(parameters);
    assert.deepEqual(recalled.params.hires, { scale: 1.5, steps: 4, denoise: 0.5, upscaler });
    assert.equal(recalled.denoisingStrength, undefined, 'the strength belongs to the hires pass, not to img2img');
    assert.deepEqual(recalled.unsupported, []);
  }
  // Cancel during the second pass: no step runs after it.
  const controller = new AbortController();
  const afterAbort: string[] = [];
  const run = generate(
    { model: fixture('sd15-tiny'), prompt: 'a photo of a woman', seed: 11, steps: 3, cfg: 5, sampler: 'Euler a', width: 64, height: 64, hires: { scale: 2, steps: 6, denoise: 1 } },
    {
      loader,
      signal: controller.signal,
      onStep: (e: PassStepEvent) => {
        if (controller.signal.aborted) afterAbort.push(`${e.pass} ${e.step}`);
        if (e.pass === 'hires' && e.step === 2) controller.abort();
      },
    },
  );
  await assert.rejects(run, { code: 'cancelled' });
  assert.deepEqual(afterAbort, []);
});
