import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { readTensorFloat32 } from './descriptors.ts';
import { readSafetensors } from './safetensors.ts';

test('indexes the tiny single-file checkpoint without reading tensor data', async () => {
  const index = await readSafetensors(fixture('sd15-tiny.safetensors'));
  assert.equal(index.tensors.size, 992);
  const conv = index.tensors.get('model.diffusion_model.input_blocks.0.0.weight');
  assert.ok(conv);
  assert.equal(conv.dtype, 'F32');
  assert.equal(conv.byteLength, conv.shape.reduce((a, b) => a * b, 1) * 4);
  const values = await readTensorFloat32(conv);
  assert.equal(values.length, conv.byteLength / 4);
  assert.ok(values.every(Number.isFinite));
});
