// A LoRA (or any source) that is a symbolic link to a file elsewhere — how people share one LoRA between ComfyUI
// and A1111 folders: onnxruntime refuses external data that leads outside the model folder, so the compiled graphs
// must reference the link's target, and run as with the file itself.
import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { textEncoderFeeds } from '../pipeline/ort-runners.ts';
import { compileModel } from './compile.ts';

test('a LoRA that is a relative symlink to a file outside the cache compiles and runs as the file itself', async (t) => {
  const work = tempFolder(t, 'faceid-symlinked-lora-');
  await mkdir(path.join(work, 'shared'));
  await mkdir(path.join(work, 'loras'));
  const real = path.join(work, 'shared', 'film-grain.safetensors');
  await copyFile(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), real);
  const linked = path.join(work, 'loras', 'film-grain.safetensors');
  await symlink(path.relative(path.dirname(linked), real), linked);

  const viaLink = await compileModel(fixture('sd15-tiny'), { cacheDir: path.join(work, 'cache-link'), loras: [linked] });
  const direct = await compileModel(fixture('sd15-tiny'), { cacheDir: path.join(work, 'cache-direct'), loras: [real] });
  assert.deepEqual(viaLink.notices, [], 'the target is hard-linked like any file, nothing copied');
  const width = direct.unet.crossAttentionDim;
  const feeds = {
    sample: new ort.Tensor('float32', Float32Array.from({ length: 2 * 4 * 8 * 8 }, (_, i) => Math.sin(i)), [2, 4, 8, 8]),
    timestep: new ort.Tensor('float32', Float32Array.of(500), [1]),
    encoder_hidden_states: new ort.Tensor('float32', Float32Array.from({ length: 2 * 77 * width }, (_, i) => Math.cos(i) * 0.3), [2, 77, width]),
    lora_strengths: new ort.Tensor('float32', Float32Array.of(0.8), [1]),
  };
  const run = async (graph: string) => (await (await ort.InferenceSession.create(graph)).run(feeds))['out_sample']!.data as Float32Array;
  assert.deepEqual(await run(viaLink.unet.path), await run(direct.unet.path));
  // The text encoder reads the LoRA's text-encoder part (none here) and the checkpoint: it opens too.
  await ort.InferenceSession.create(viaLink.textEncoders[0]!.path).then((s) => s.run({ ...textEncoderFeeds([49406, 320, 49407], 1, viaLink.textEncoders[0]!.hiddenSize) }));
});
