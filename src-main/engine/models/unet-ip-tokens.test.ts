// ip_tokens has a dynamic length (Portrait concatenates 16 tokens per reference): repeating the same tokens must not
// change the output (softmax attention over duplicated keys/values is unchanged), and ip_scale is per layer.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { compileModel, type CompiledModel } from './compile.ts';

let work: string;
let compiled: CompiledModel;
let session: ort.InferenceSession;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'unet-ip-'));
  compiled = await compileModel(fixture('sd15-tiny'), { cacheDir: work, adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid-portrait_sd15_tiny.safetensors') });
  session = await ort.InferenceSession.create(compiled.unet.path);
});
after(async () => {
  await session.release();
  await rm(work, { recursive: true, force: true });
});

function values(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}

async function run(ipTokens: Float32Array, tokens: number, scales: Float32Array): Promise<Float32Array> {
  const width = compiled.unet.crossAttentionDim;
  const channels = compiled.unet.inChannels;
  const out = await session.run({
    sample: new ort.Tensor('float32', values(channels * 64, 1), [1, channels, 8, 8]),
    timestep: new ort.Tensor('float32', Float32Array.of(300), [1]),
    encoder_hidden_states: new ort.Tensor('float32', values(77 * width, 2), [1, 77, width]),
    ip_tokens: new ort.Tensor('float32', ipTokens, [1, tokens, width]),
    ip_scale: new ort.Tensor('float32', scales, [scales.length]),
  });
  return out['out_sample']!.data as Float32Array;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test('a Portrait adapter (no LoRA) compiles without lora_strengths, and repeated IP tokens change nothing', async () => {
  assert.equal(compiled.adapter?.variant, 'faceid-portrait');
  assert.deepEqual(compiled.loras, []);
  assert.ok(!compiled.unet.inputs.includes('lora_strengths'));
  const width = compiled.unet.crossAttentionDim;
  const block = values(16 * width, 3);
  const twice = new Float32Array(32 * width);
  twice.set(block, 0);
  twice.set(block, 16 * width);
  const scales = new Float32Array(compiled.unet.crossAttentionLayers).fill(1);
  const once = await run(block, 16, scales);
  assert.ok(maxDiff(await run(twice, 32, scales), once) < 1e-5);
});

test('ip_scale is per cross-attention layer: zero everywhere equals no IP, one layer on changes the output', async () => {
  const width = compiled.unet.crossAttentionDim;
  const tokens = values(16 * width, 4);
  const layers = compiled.unet.crossAttentionLayers;
  const off = await run(tokens, 16, new Float32Array(layers));
  const otherTokens = await run(values(16 * width, 5), 16, new Float32Array(layers));
  assert.equal(maxDiff(off, otherTokens), 0, 'with every λ at 0 the tokens do not matter');
  const oneLayer = new Float32Array(layers);
  oneLayer[layers - 1] = 1;
  assert.ok(maxDiff(await run(tokens, 16, oneLayer), off) > 1e-4);
});
