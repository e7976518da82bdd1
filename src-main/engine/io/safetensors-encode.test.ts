import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readTensorFloat32 } from './descriptors.ts';
import { encodeSafetensors } from './safetensors-encode.ts';
import { readSafetensors } from './safetensors.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-st-encode-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('encoded files read back with the same tensors and metadata, data 8-byte aligned', async () => {
  const file = path.join(work, 'a.safetensors');
  const weight = Float32Array.of(1.5, -2, 0.25, 8, 3, -1);
  writeFileSync(file, encodeSafetensors([{ name: 'layer.weight', dtype: 'F32', shape: [2, 3], data: new Uint8Array(weight.buffer) }, { name: 'bias', dtype: 'F32', shape: [1], data: new Uint8Array(Float32Array.of(7).buffer) }], { format: 'pt' }));
  const headerLength = Number(readFileSync(file).readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const read = await readSafetensors(file);
  assert.deepEqual(read.metadata, { format: 'pt' });
  assert.deepEqual([...read.tensors.keys()].sort(), ['bias', 'layer.weight']);
  assert.deepEqual([...(await readTensorFloat32(read.tensors.get('layer.weight')!))], [...weight]);
  assert.deepEqual([...(await readTensorFloat32(read.tensors.get('bias')!))], [7]);
});
