// The TAESD decoder graph against a plain reference of diffusers' DecoderTiny written out here (3×3 convs with zero
// padding, ReLU, nearest ×2 upsample, tanh(x/3)·3 clamp), on seeded tiny weights with TAESD's stage structure
// (3, 3, 3, 1 blocks); the original decoder file (`1.weight`, Clamp at index 0) and diffusers' AutoencoderTiny folder
// (`decoder.layers.0.weight`, encoder beside it) compile to the same pictures.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { CHANNELS, STAGES, tensors, writeTinyTaesdDecoder, type Conv, type Layer } from '../../../test/helpers/tiny-taesd.ts';
import { writeSafetensorsFile } from '../../../test/helpers/write-safetensors.ts';
import { SeededRandom } from '../../models/selftest/seeded-random.ts';
import { describeTaesd } from '../io/taesd.ts';
import { compileTaesdDecoder } from './compile-taesd.ts';
import { TAESD_INPUT, TAESD_OUTPUT } from './taesd.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-taesd-'));
after(() => rmSync(work, { recursive: true, force: true }));

function conv2d(x: Float32Array, c: number, h: number, w: number, conv: Conv): Float32Array {
  const y = new Float32Array(conv.out * h * w);
  for (let o = 0; o < conv.out; o++) {
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        let sum = conv.bias ? conv.bias[o]! : 0;
        for (let i = 0; i < c; i++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const sy = yy + ky - 1;
              const sx = xx + kx - 1;
              if (sy >= 0 && sy < h && sx >= 0 && sx < w) sum += x[(i * h + sy) * w + sx]! * conv.weight[((o * c + i) * 3 + ky) * 3 + kx]!;
            }
          }
        }
        y[(o * h + yy) * w + xx] = sum;
      }
    }
  }
  return y;
}

function reference(layers: readonly Layer[], latent: Float32Array, h0: number, w0: number): Float32Array {
  let x: Float32Array = latent.map((v) => Math.tanh(v / 3) * 3);
  let [c, h, w] = [4, h0, w0];
  const relu = (v: Float32Array): Float32Array => v.map((a) => Math.max(0, a));
  for (const layer of layers) {
    if (layer.kind === 'relu') x = relu(x);
    else if (layer.kind === 'conv') [x, c] = [conv2d(x, c, h, w, layer.conv), layer.conv.out];
    else if (layer.kind === 'block') {
      const a = relu(conv2d(x, c, h, w, layer.convs[0]));
      const b = relu(conv2d(a, c, h, w, layer.convs[1]));
      const d = conv2d(b, c, h, w, layer.convs[2]);
      x = relu(d.map((v, i) => v + x[i]!));
    } else {
      const up = new Float32Array(c * 4 * h * w);
      for (let i = 0; i < c; i++) for (let yy = 0; yy < 2 * h; yy++) for (let xx = 0; xx < 2 * w; xx++) up[(i * 2 * h + yy) * 2 * w + xx] = x[(i * h + (yy >> 1)) * w + (xx >> 1)]!;
      [x, h, w] = [up, 2 * h, 2 * w];
    }
  }
  return x;
}

test('TAESD decoder: both file layouts compile to diffusers DecoderTiny, to float rounding', async () => {
  const original = path.join(work, 'taesd_decoder.safetensors');
  const layers = await writeTinyTaesdDecoder(original);
  const folder = path.join(work, 'taesd');
  mkdirSync(folder);
  await writeSafetensorsFile(path.join(folder, 'diffusion_pytorch_model.safetensors'), { ...tensors(layers, (i, rest) => `decoder.layers.${i}${rest}`), 'encoder.layers.0.weight': { dtype: 'F32', shape: [CHANNELS, 3, 3, 3], data: new Array(CHANNELS * 27).fill(0.1) } });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ _class_name: 'AutoencoderTiny' }));

  const [h, w] = [3, 5];
  const latent = new SeededRandom(5).normals(4 * h * w, 1.5);
  const expected = reference(layers, latent, h, w);
  const outputs: Float32Array[] = [];
  for (const source of [original, folder]) {
    const compiled = await compileTaesdDecoder(source, { cacheDir: path.join(work, 'cache') });
    assert.deepEqual(compiled.config.blocksPerStage, STAGES);
    const session = await ort.InferenceSession.create(compiled.path);
    const result = await session.run({ [TAESD_INPUT]: new ort.Tensor('float32', latent, [1, 4, h, w]) });
    const image = result[TAESD_OUTPUT]!;
    assert.deepEqual(image.dims, [1, 3, 8 * h, 8 * w]);
    outputs.push(image.data as Float32Array);
    await session.release();
  }
  const scale = Math.max(...expected.map(Math.abs));
  const worst = Math.max(...outputs[0]!.map((v, i) => Math.abs(v - expected[i]!)));
  assert.ok(worst <= 1e-5 * scale, `worst ${worst} of ${scale}`);
  assert.deepEqual(outputs[1], outputs[0]);
});

test('TAESD decoders are told by content; an encoder alone or a VAE is not one', () => {
  const shapes = (names: Record<string, number[]>) => new Map(Object.entries(names));
  assert.equal(describeTaesd(shapes({ '1.weight': [64, 4, 3, 3], '3.conv.0.weight': [64, 64, 3, 3] })), 'original');
  assert.equal(describeTaesd(shapes({ 'decoder.layers.0.weight': [64, 4, 3, 3], 'decoder.layers.2.conv.0.weight': [64, 64, 3, 3] })), 'diffusers');
  assert.equal(describeTaesd(shapes({ '0.weight': [64, 3, 3, 3], '1.conv.0.weight': [64, 64, 3, 3] })), undefined, 'the TAESD encoder');
  assert.equal(describeTaesd(shapes({ 'decoder.conv_in.weight': [512, 4, 3, 3] })), undefined, 'an AutoencoderKL');
});
