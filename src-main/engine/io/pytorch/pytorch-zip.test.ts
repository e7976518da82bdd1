import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PickleWriter, torchSavePickle, writeTensor, zipStored, type TensorSpec } from '../../../../test/helpers/torch-archive.ts';
import { isContiguous, readTensorBytes, readTensorFloat32 } from '../descriptors.ts';
import { readTensorFile } from '../tensor-file.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-pytorch-'));

function floats(count: number): Uint8Array {
  return new Uint8Array(Float32Array.from({ length: count }, (_, i) => i).buffer);
}

function archive(file: string, prefix: string, pickle: Uint8Array, storages: Record<string, Uint8Array>): string {
  const full = path.join(scratch, file);
  writeFileSync(
    full,
    zipStored([
      { name: `${prefix}/data.pkl`, data: pickle },
      { name: `${prefix}/byteorder`, data: Buffer.from('little') },
      ...Object.entries(storages).map(([key, data]) => ({ name: `${prefix}/data/${key}`, data })),
      { name: `${prefix}/version`, data: Buffer.from('3\n') },
    ]),
  );
  return full;
}

const storage = { storageKey: '0', storageType: 'FloatStorage', storageNumel: 12 } as const;

test('views into one shared storage keep their offsets; a transposed view keeps its strides and reads back right', async () => {
  const specs: TensorSpec[] = [
    { ...storage, name: 'matrix', offset: 0, shape: [3, 4], strides: [4, 1] },
    { ...storage, name: 'transposed', offset: 0, shape: [4, 3], strides: [1, 4] },
    { ...storage, name: 'tail', offset: 5, shape: [2], strides: [1] },
    { ...storage, name: 'column', offset: 1, shape: [3, 1], strides: [4, 1] },
  ];
  const file = archive('views.pt', 'saved_under_another_name', torchSavePickle(specs), { '0': floats(12) });
  const index = await readTensorFile(file);
  assert.equal(index.format, 'pytorch-zip');
  const matrix = index.tensors.get('matrix')!;
  const tail = index.tensors.get('tail')!;
  assert.equal(tail.offset - matrix.offset, 5 * 4, 'storage offset in bytes');
  assert.deepEqual([...(await readTensorFloat32(tail))], [5, 6]);
  assert.deepEqual([...(await readTensorFloat32(matrix))], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const transposed = index.tensors.get('transposed')!;
  assert.equal(isContiguous(transposed), false);
  assert.deepEqual(transposed.strides, [1, 4]);
  assert.deepEqual([...(await readTensorFloat32(transposed))], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  const column = index.tensors.get('column')!;
  assert.equal(isContiguous(column), false, 'a strided column is not a plain range');
  assert.deepEqual([...(await readTensorFloat32(column))], [1, 5, 9]);
  assert.ok(isContiguous(matrix) && isContiguous(tail));
});

test('LDM-style .ckpt: the state_dict key is unwrapped and other entries are skipped', async () => {
  const specs: TensorSpec[] = [{ ...storage, name: 'model.diffusion_model.out.2.bias', offset: 0, shape: [12], strides: [1] }];
  const file = archive('wrapped.ckpt', 'archive', torchSavePickle(specs, 'state_dict'), { '0': floats(12) });
  const index = await readTensorFile(file);
  assert.deepEqual([...index.tensors.keys()], ['model.diffusion_model.out.2.bias']);
});

test('several storages of different types, nested dicts joined with dots', async () => {
  const p = new PickleWriter().proto().emptyDict().mark().text('image_proj').emptyDict().mark().text('w');
  writeTensor(p, { name: 'w', storageKey: '0', storageType: 'FloatStorage', storageNumel: 4, offset: 0, shape: [2, 2], strides: [2, 1] });
  p.setItems().text('ip_adapter').emptyDict().mark().text('1.to_k_ip.weight');
  writeTensor(p, { name: 'k', storageKey: '1', storageType: 'HalfStorage', storageNumel: 4, offset: 2, shape: [2], strides: [1] });
  p.setItems().setItems().stop();
  const halves = new Uint8Array(new Uint16Array([0x3c00, 0x4000, 0x4200, 0x4400]).buffer);
  const file = archive('nested.bin', 'nested', p.finish(), { '0': floats(4), '1': halves });
  const index = await readTensorFile(file);
  assert.deepEqual([...index.tensors.keys()], ['image_proj.w', 'ip_adapter.1.to_k_ip.weight']);
  const k = index.tensors.get('ip_adapter.1.to_k_ip.weight')!;
  assert.equal(k.dtype, 'F16');
  assert.deepEqual([...(await readTensorFloat32(k))], [3, 4]);
  assert.deepEqual([...(await readTensorBytes(index.tensors.get('image_proj.w')!))].length, 16);
});

test('strided views of 1-, 2- and 8-byte elements gather bit-exactly', async () => {
  const bytesOf = { ByteStorage: 1, HalfStorage: 2, LongStorage: 8 } as const;
  for (const [storageType, size] of Object.entries(bytesOf)) {
    const data = Uint8Array.from({ length: 6 * size }, (_, i) => (i * 37 + 11) & 0xff);
    const spec: TensorSpec = { name: 't', storageKey: '0', storageType, storageNumel: 6, offset: 0, shape: [3, 2], strides: [1, 3] };
    const index = await readTensorFile(archive(`strided-${storageType}.pt`, 'strided', torchSavePickle([spec]), { '0': data }));
    const out = await readTensorBytes(index.tensors.get('t')!);
    // Row-major element (i, j) is storage element i + 3j.
    const expected = [0, 3, 1, 4, 2, 5].flatMap((e) => [...data.subarray(e * size, (e + 1) * size)]);
    assert.deepEqual([...out], expected, storageType);
  }
});

test('an original Lightning .ckpt (numpy global_step, callbacks keyed by class) reads its state_dict and runs nothing', async () => {
  const p = new PickleWriter().proto().emptyDict().mark();
  // 'global_step': numpy.core.multiarray.scalar(numpy.dtype('i8', False, True) + BUILD state, _codecs.encode('\x10…', 'latin1'))
  p.text('global_step').global('numpy.core.multiarray', 'scalar');
  p.global('numpy', 'dtype').mark().text('i8').op(0x89).op(0x88).tuple().reduce();
  p.mark().int(3).text('<').op(0x4e).op(0x4e).op(0x4e).int(-1).int(-1).int(0).tuple().build();
  p.global('_codecs', 'encode').mark().text('\u0010\u0027').text('latin1').tuple().reduce();
  p.op(0x86).reduce(); // TUPLE2, REDUCE
  // 'callbacks': {ModelCheckpoint: {'best_model_score': None}}
  p.text('callbacks').emptyDict().global('pytorch_lightning.callbacks.model_checkpoint', 'ModelCheckpoint').emptyDict().text('best_model_score').op(0x4e).op(0x73).op(0x73);
  p.text('state_dict').emptyDict().text('model.diffusion_model.out.2.bias');
  writeTensor(p, { name: 'w', storageKey: '0', storageType: 'FloatStorage', storageNumel: 4, offset: 0, shape: [4], strides: [1] });
  p.op(0x73).setItems().stop();
  const index = await readTensorFile(archive('lightning.ckpt', 'archive', p.finish(), { '0': floats(4) }));
  assert.deepEqual([...index.tensors.keys()], ['model.diffusion_model.out.2.bias']);
});
