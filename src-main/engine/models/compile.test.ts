import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { writeSafetensorsFile, type TestTensor } from '../../../test/helpers/write-safetensors.ts';
import { StudioError } from '../../base/errors.ts';
import { readTensorBytes } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { compileModel } from './compile.ts';
import { textEncoderFeeds } from '../pipeline/ort-runners.ts';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'compile-test-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const diffusersFolder = () => fixture('sd15-tiny');

/** A copy of the fixture's diffusers folder (hard links) whose UNet file is rewritten by `edit`. */
async function folderWithUNet(name: string, edit: (tensors: Record<string, TestTensor>) => void): Promise<string> {
  const folder = path.join(work, name);
  for (const component of ['text_encoder', 'vae', 'unet']) await mkdir(path.join(folder, component), { recursive: true });
  await writeFile(path.join(folder, 'model_index.json'), await readFile(path.join(diffusersFolder(), 'model_index.json')));
  for (const [component, file] of [['text_encoder', 'model.safetensors'], ['vae', 'diffusion_pytorch_model.safetensors']] as const) {
    await link(path.join(diffusersFolder(), component, file), path.join(folder, component, file));
    await writeFile(path.join(folder, component, 'config.json'), await readFile(path.join(diffusersFolder(), component, 'config.json')));
  }
  await writeFile(path.join(folder, 'unet', 'config.json'), await readFile(path.join(diffusersFolder(), 'unet', 'config.json')));
  const unet = await readSafetensors(path.join(diffusersFolder(), 'unet', 'diffusion_pytorch_model.safetensors'));
  const tensors: Record<string, TestTensor> = {};
  for (const [tensorName, d] of unet.tensors) tensors[tensorName] = { dtype: 'F32', shape: d.shape, data: await readTensorBytes(d) };
  edit(tensors);
  await writeSafetensorsFile(path.join(folder, 'unet', 'diffusion_pytorch_model.safetensors'), tensors);
  return folder;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StudioError, `expected a StudioError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.userMessage, message);
    return true;
  });
}

test('a compiled checkpoint links its weights, costs only graph bytes, and is reused from the cache', async () => {
  const cacheDir = path.join(work, 'cache-link');
  const first = await compileModel(diffusersFolder(), { cacheDir });
  assert.equal(first.fromCache, false);
  const files = await readdir(first.dir);
  const linked = files.filter((f) => f.startsWith('w-'));
  assert.equal(linked.length, 3, `one link per component file: ${files.join(', ')}`);
  const source = await stat(path.join(diffusersFolder(), 'unet', 'diffusion_pytorch_model.safetensors'));
  const links = await Promise.all(linked.map((f) => stat(path.join(first.dir, f))));
  assert.ok(links.some((l) => l.ino === source.ino), 'the UNet weights are the user file itself (same inode)');
  const graphBytes = (await Promise.all(files.filter((f) => !f.startsWith('w-') && f !== 'manifest.json').map((f) => stat(path.join(first.dir, f))))).reduce((a, s) => a + s.size, 0);
  assert.equal(first.diskBytes, graphBytes);
  assert.deepEqual(first.notices, []);
  const second = await compileModel(diffusersFolder(), { cacheDir });
  assert.equal(second.fromCache, true);
  assert.equal(second.dir, first.dir);
});

test('changing a source file recompiles and removes the superseded compilation', async () => {
  const folder = await folderWithUNet('touched', () => {});
  const cacheDir = path.join(work, 'cache-touch');
  const first = await compileModel(folder, { cacheDir });
  const later = new Date(Date.now() + 5000);
  await utimes(path.join(folder, 'unet', 'diffusion_pytorch_model.safetensors'), later, later);
  const second = await compileModel(folder, { cacheDir });
  assert.equal(second.fromCache, false);
  assert.notEqual(second.key, first.key);
  assert.equal(existsSync(first.dir), false, 'the old compilation (holding the old file alive) is gone');
});

test('when the cache cannot hard-link (another filesystem), the used weights are copied and the user is told why', { skip: !existsSync('/dev/shm') && 'no tmpfs at /dev/shm' }, async () => {
  const cacheDir = await mkdtemp('/dev/shm/faceid-compile-test-');
  try {
    const linkedDir = path.join(work, 'cache-compare');
    const linked = await compileModel(diffusersFolder(), { cacheDir: linkedDir });
    const copied = await compileModel(diffusersFolder(), { cacheDir });
    if ((await stat(cacheDir)).dev === (await stat(diffusersFolder())).dev) return; // same filesystem here: nothing to show
    assert.equal(copied.notices.length, 3);
    assert.match(copied.notices[0]!, /copied into the compiled-model cache .*same disk/);
    assert.ok(copied.diskBytes > 1_000_000);
    const feeds = textEncoderFeeds(Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : i < 5 ? 320 + i : 49407)), 1, linked.textEncoders[0]!.hiddenSize);
    const a = await (await ort.InferenceSession.create(linked.textEncoders[0]!.path)).run(feeds);
    const b = await (await ort.InferenceSession.create(copied.textEncoders[0]!.path)).run(feeds);
    assert.deepEqual(b['last_hidden_state']!.data, a['last_hidden_state']!.data);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('an SDXL adapter on an SD1.5 checkpoint is refused, naming both bases', async () => {
  const adapter = path.join(work, 'ip-adapter-faceid_sdxl_fake.safetensors');
  // A FaceID projection for 2048-wide tokens (4 of them) and the IP attention of SDXL's 140 processors.
  const tensors: Record<string, TestTensor> = {
    'image_proj.norm.weight': { dtype: 'F16', shape: [2048], data: new Uint8Array(2048 * 2) },
    'image_proj.proj.2.weight': { dtype: 'F16', shape: [4 * 2048, 1], data: new Uint8Array(4 * 2048 * 2) },
  };
  for (let n = 1; n < 140; n += 2) {
    tensors[`ip_adapter.${n}.to_k_ip.weight`] = { dtype: 'F16', shape: [4, 2048], data: new Uint8Array(4 * 2048 * 2) };
    tensors[`ip_adapter.${n}.to_v_ip.weight`] = { dtype: 'F16', shape: [4, 2048], data: new Uint8Array(4 * 2048 * 2) };
  }
  await writeSafetensorsFile(adapter, tensors);
  await rejectsWith(compileModel(diffusersFolder(), { cacheDir: path.join(work, 'cache-err'), adapter }), 'compile.wrong-base', /for SDXL .*140 attention layers.*checkpoint is .*32 attention layers/);
});

test('a checkpoint missing a tensor is refused, naming the tensor', async () => {
  const folder = await folderWithUNet('missing', (t) => {
    delete t['up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_v.weight'];
  });
  await rejectsWith(compileModel(folder, { cacheDir: path.join(work, 'cache-err') }), 'compile.missing-tensor', /no tensor "unet\.up_blocks\.1\.attentions\.2\.transformer_blocks\.0\.attn2\.to_v\.weight"/);
});

test('a tensor with the wrong shape is refused, with both shapes', async () => {
  const folder = await folderWithUNet('wrong-shape', (t) => {
    const original = t['conv_out.weight']!;
    const [out, inChannels, ...kernel] = original.shape;
    t['conv_out.weight'] = { ...original, shape: [inChannels!, out!, ...kernel] };
  });
  await rejectsWith(compileModel(folder, { cacheDir: path.join(work, 'cache-err') }), 'compile.wrong-shape', /"unet\.conv_out\.weight" has shape \[\d+, \d+, 3, 3\], expected \[\d+, \d+, \?, \?\]/);
});

test('a LoRA that matches no layer is refused with its count of unmatched tensors', async () => {
  const lora = path.join(work, 'sdxl-style-lora.safetensors');
  const tensors: Record<string, TestTensor> = {};
  for (let b = 0; b < 3; b++) {
    const module = `lora_unet_down_blocks_2_attentions_0_transformer_blocks_${5 + b}_attn1_to_q`;
    tensors[`${module}.lora_down.weight`] = { dtype: 'F16', shape: [4, 64], data: new Array(256).fill(0) };
    tensors[`${module}.lora_up.weight`] = { dtype: 'F16', shape: [64, 4], data: new Array(256).fill(0) };
  }
  await writeSafetensorsFile(lora, tensors);
  await rejectsWith(compileModel(diffusersFolder(), { cacheDir: path.join(work, 'cache-err'), loras: [{ file: lora }] }), 'compile.lora-unmatched', /sdxl-style-lora\.safetensors matches no layer.*none of its 6 LoRA tensors/);
});

test('a single file whose widths have no known head count asks for its config', async () => {
  await rejectsWith(compileModel(fixture('sd15-tiny.safetensors'), { cacheDir: path.join(work, 'cache-err') }), 'compile.config-needed', /attention heads cannot be read/);
});

test('a file that is not an IP-Adapter given as the adapter is refused', async () => {
  const notAdapter = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors');
  await rejectsWith(compileModel(diffusersFolder(), { cacheDir: path.join(work, 'cache-err'), adapter: notAdapter }), 'checkpoint.wrong-kind', /is not an IP-Adapter/);
});

test('a 9-channel inpainting UNet compiles from its shapes; zero extra conv_in weights give the 4-channel output', async () => {
  // conv_in widened to 9 input channels: the first 4 keep the original weights, the other 5 are `extra` (0 or 1).
  const widened = (extra: number) => (t: Record<string, TestTensor>) => {
    const original = t['conv_in.weight']!;
    const [out, inChannels, kh, kw] = original.shape as [number, number, number, number];
    const values = new Float32Array((original.data as Uint8Array).slice().buffer);
    const wide = new Float32Array(out * 9 * kh * kw).fill(extra);
    for (let o = 0; o < out; o++) wide.set(values.subarray(o * inChannels * kh * kw, (o + 1) * inChannels * kh * kw), o * 9 * kh * kw);
    t['conv_in.weight'] = { dtype: 'F32', shape: [out, 9, kh, kw], data: new Uint8Array(wide.buffer) };
  };
  const zeroExtra = await folderWithUNet('inpaint-zero', widened(0));
  const oneExtra = await folderWithUNet('inpaint-one', widened(1));
  const cacheDir = path.join(work, 'cache-inpaint');
  const plain = await compileModel(diffusersFolder(), { cacheDir });
  const inpaintZero = await compileModel(zeroExtra, { cacheDir });
  const inpaintOne = await compileModel(oneExtra, { cacheDir });
  assert.equal(plain.unet.inChannels, 4);
  assert.equal(inpaintZero.unet.inChannels, 9);
  assert.equal(inpaintZero.architecture, 'sd15-inpaint');

  const [h, w, tokens, width] = [8, 8, 77, inpaintZero.unet.crossAttentionDim];
  const latents = Float32Array.from({ length: 4 * h * w }, (_, i) => Math.sin(i * 0.37));
  const conditioning = Float32Array.from({ length: tokens * width }, (_, i) => Math.cos(i * 0.11) * 0.5);
  const extra = Float32Array.from({ length: 5 * h * w }, (_, i) => Math.cos(i * 0.23));
  const run = async (modelPath: string, sample: Float32Array, channels: number) => {
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 });
    const out = await session.run({
      sample: new ort.Tensor('float32', sample, [1, channels, h, w]),
      timestep: new ort.Tensor('float32', Float32Array.of(500), [1]),
      encoder_hidden_states: new ort.Tensor('float32', conditioning, [1, tokens, width]),
    });
    return out['out_sample']!;
  };
  const nine = new Float32Array(9 * h * w);
  nine.set(latents);
  nine.set(extra, 4 * h * w);
  const expected = await run(plain.unet.path, latents, 4);
  const fromZero = await run(inpaintZero.unet.path, nine, 9);
  const fromOne = await run(inpaintOne.unet.path, nine, 9);
  assert.deepEqual(fromZero.dims, [1, 4, h, w], 'an inpainting UNet still predicts 4 latent channels');
  const maxDiff = (a: ort.Tensor, b: ort.Tensor) => Math.max(...(a.data as Float32Array).map((v, i) => Math.abs(v - (b.data as Float32Array)[i]!)));
  assert.ok(maxDiff(fromZero, expected) < 1e-5, `zero extra weights: ${maxDiff(fromZero, expected)}`);
  assert.ok(maxDiff(fromOne, expected) > 1e-2, 'the extra 5 channels reach the output');
});
