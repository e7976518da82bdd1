// kohya LoRAs on the text encoder and the UNet as runtime branches: strength 0 is the plain model, strength s equals
// the model with W + s·(alpha/rank)·U·D merged into its file, and changing s is only a new input value.
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { writeSafetensorsFile, type TestTensor } from '../../../test/helpers/write-safetensors.ts';
import { readTensorBytes, readTensorFloat32 } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { compileModel } from './compile.ts';
import { textEncoderFeeds } from '../pipeline/ort-runners.ts';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lora-runtime-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Deterministic small values in [-0.5, 0.5). */
function pseudoRandom(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}

test('a text-encoder LoRA with alpha: strength 0 is the plain encoder, strength s equals the merged weights', async () => {
  const source = fixture('sd15-tiny');
  const textFile = path.join(source, 'text_encoder', 'model.safetensors');
  const text = await readSafetensors(textFile);
  const targetName = 'text_model.encoder.layers.0.self_attn.q_proj.weight';
  const target = text.tensors.get(targetName)!;
  const [out, inFeatures] = target.shape as [number, number];
  const rank = 2;
  const alpha = 1;
  const down = pseudoRandom(rank * inFeatures, 1);
  const up = pseudoRandom(out * rank, 2);
  const loraFile = path.join(work, 'te-lora.safetensors');
  const module = 'lora_te_text_model_encoder_layers_0_self_attn_q_proj';
  await writeSafetensorsFile(loraFile, {
    [`${module}.lora_down.weight`]: { dtype: 'F32', shape: [rank, inFeatures], data: down },
    [`${module}.lora_up.weight`]: { dtype: 'F32', shape: [out, rank], data: up },
    [`${module}.alpha`]: { dtype: 'F32', shape: [], data: [alpha] },
  });

  const strength = 0.8;
  const merged = path.join(work, 'merged');
  for (const component of ['unet', 'vae', 'text_encoder']) {
    await mkdir(path.join(merged, component), { recursive: true });
    await writeFile(path.join(merged, component, 'config.json'), await readFile(path.join(source, component, 'config.json')));
  }
  await writeFile(path.join(merged, 'model_index.json'), await readFile(path.join(source, 'model_index.json')));
  await link(path.join(source, 'unet', 'diffusion_pytorch_model.safetensors'), path.join(merged, 'unet', 'diffusion_pytorch_model.safetensors'));
  await link(path.join(source, 'vae', 'diffusion_pytorch_model.safetensors'), path.join(merged, 'vae', 'diffusion_pytorch_model.safetensors'));
  const tensors: Record<string, TestTensor> = {};
  for (const [name, d] of text.tensors) tensors[name] = { dtype: 'F32', shape: d.shape, data: await readTensorBytes(d) };
  const w = await readTensorFloat32(target);
  const scale = (strength * alpha) / rank;
  const mergedW = Array.from(w, (value, i) => {
    const row = Math.floor(i / inFeatures);
    const column = i % inFeatures;
    let delta = 0;
    for (let r = 0; r < rank; r++) delta += up[row * rank + r]! * down[r * inFeatures + column]!;
    return value + scale * delta;
  });
  tensors[targetName] = { dtype: 'F32', shape: [out, inFeatures], data: mergedW };
  await writeSafetensorsFile(path.join(merged, 'text_encoder', 'model.safetensors'), tensors);

  const cacheDir = path.join(work, 'cache');
  const withLora = await compileModel(source, { cacheDir, loras: [{ file: loraFile, strength }] });
  assert.deepEqual(withLora.loras.map((l) => [l.entries, l.unmatched, l.defaultStrength]), [[1, 0, strength]]);
  assert.ok(withLora.textEncoders[0]!.inputs.includes('lora_strengths'));
  assert.ok(!withLora.unet.inputs.includes('lora_strengths'), 'a text-encoder-only LoRA costs the UNet nothing');
  const plain = await compileModel(source, { cacheDir });
  const reference = await compileModel(merged, { cacheDir });

  const ids = textEncoderFeeds(Array.from({ length: 2 * 77 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 < 6 ? 400 + i : 49407)), 2, plain.textEncoders[0]!.hiddenSize);
  const session = await ort.InferenceSession.create(withLora.textEncoders[0]!.path);
  const run = async (s: number) => (await session.run({ ...ids, lora_strengths: new ort.Tensor('float32', Float32Array.of(s), [1]) }))['last_hidden_state']!.data as Float32Array;
  const expectedPlain = (await (await ort.InferenceSession.create(plain.textEncoders[0]!.path)).run(ids))['last_hidden_state']!.data as Float32Array;
  const expectedMerged = (await (await ort.InferenceSession.create(reference.textEncoders[0]!.path)).run(ids))['last_hidden_state']!.data as Float32Array;
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  assert.equal(maxDiff(await run(0), expectedPlain), 0);
  const atStrength = await run(strength);
  assert.ok(maxDiff(atStrength, expectedMerged) < 1e-4, `merged vs branch: ${maxDiff(atStrength, expectedMerged)}`);
  assert.ok(maxDiff(atStrength, expectedPlain) > 1e-3, 'the LoRA changes the output');
});
