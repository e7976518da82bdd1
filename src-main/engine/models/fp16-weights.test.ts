// fp16 checkpoints: the compiled graphs must compute exactly what the fp32 graphs compute on the fp16-rounded
// weights (weights stay fp16 on disk, one exact Cast each): how we compile fp16 adds no rounding of its own (the
// `_fp16w` goldens check the values themselves).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { writeSafetensorsFile, type TestTensor } from '../../../test/helpers/write-safetensors.ts';
import { loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { readTensorFloat32 } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { compileModel, type CompiledModel } from './compile.ts';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'fp16-weights-test-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function fixtureConfigs(): Promise<Record<'unet' | 'vae' | 'text_encoder', Record<string, unknown>>> {
  const read = async (component: string) => JSON.parse(await readFile(fixture('sd15-tiny', component, 'config.json'), 'utf8')) as Record<string, unknown>;
  return { unet: await read('unet'), vae: await read('vae'), text_encoder: await read('text_encoder') };
}

/** A float32 copy of `source` holding exactly its (fp16) values, widened. */
async function widenedCopy(source: string, target: string): Promise<number> {
  const index = await readSafetensors(source);
  const tensors: Record<string, TestTensor> = {};
  let halfTensors = 0;
  for (const [name, d] of index.tensors) {
    if (d.dtype === 'F16') halfTensors++;
    const values = await readTensorFloat32(d);
    tensors[name] = { dtype: 'F32', shape: d.shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  }
  await writeSafetensorsFile(target, tensors);
  return halfTensors;
}

async function run(modelPath: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 });
  const outputs = await session.run(feeds);
  return outputs[session.outputNames[0]!]!.data as Float32Array;
}

const tensor = (t: { data: Float32Array; shape: readonly number[] }) => new ort.Tensor('float32', t.data, t.shape.length === 0 ? [1] : [...t.shape]);

test('the fp16 checkpoint compiles to graphs whose outputs equal the fp32 graphs on its rounded weights, bit for bit', async () => {
  const half = fixture('sd15-tiny.fp16.safetensors');
  const widened = path.join(work, 'sd15-tiny.widened.safetensors');
  const halfTensors = await widenedCopy(half, widened);
  assert.ok(halfTensors > 0, 'the fixture holds fp16 tensors');
  const options = { cacheDir: path.join(work, 'cache'), configs: await fixtureConfigs() };
  const compiled: CompiledModel[] = [await compileModel(half, options), await compileModel(widened, options)];

  const unetGolden = (await loadGoldenTensors(fixture('goldens', 'unet.safetensors'))).tensors;
  const vaeGolden = (await loadGoldenTensors(fixture('goldens', 'vae.safetensors'))).tensors;
  const g = (map: typeof unetGolden, name: string) => {
    const value = map.get(name);
    assert.ok(value, `golden ${name}`);
    return tensor(value);
  };
  const feeds = { sample: g(unetGolden, 'latent'), timestep: new ort.Tensor('float32', Float32Array.of(1), [1]), encoder_hidden_states: g(unetGolden, 'encoder_hidden_states') };
  const [fromHalf, fromWidened] = await Promise.all(compiled.map((c) => run(c.unet.path, feeds)));
  assert.deepEqual(fromHalf, fromWidened, 'UNet at t=1');
  const [decodedHalf, decodedWidened] = await Promise.all(compiled.map((c) => run(c.vaeDecoder.path, { latent: g(vaeGolden, 'decode_in') })));
  assert.deepEqual(decodedHalf, decodedWidened, 'VAE decoder');
});
