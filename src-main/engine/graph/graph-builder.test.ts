import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readSafetensors } from '../io/safetensors.ts';
import { writeSafetensorsFile } from '../../../test/helpers/write-safetensors.ts';
import { GraphBuilder, initializerNodesFirst } from './graph-builder.ts';
import { attention, layerNorm, linear } from './layers.ts';
import { decodeModel } from './onnx-proto.ts';

test('a linear layer over external fp32 and fp16 weights runs in onnxruntime and matches x·Wᵀ+b', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-builder-'));
  try {
    const file = path.join(dir, 'w.safetensors');
    const w = [1, 2, 3, 4, 5, 6]; // [3, 2]
    await writeSafetensorsFile(file, {
      'a.weight': { dtype: 'F32', shape: [3, 2], data: w },
      'a.bias': { dtype: 'F16', shape: [3], data: [0.5, -1, 2] },
    });
    const { tensors } = await readSafetensors(file);
    const g = new GraphBuilder('linear');
    const x = g.input('x', 'float', ['batch', 2]);
    const y = linear(g, x, tensors.get('a.weight')!, tensors.get('a.bias')!);
    g.output(y, 'y', 'float', ['batch', 3]);
    const modelPath = path.join(dir, 'model.onnx');
    await writeFile(modelPath, g.toModel({ locationOf: (f) => path.basename(f) }));
    const session = await ort.InferenceSession.create(modelPath);
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 2, -1]), [2, 2]) });
    assert.deepEqual([...(result.y!.data as Float32Array)], [3.5, 6, 13, 0.5, 1, 6]);
    assert.deepEqual(result.y!.dims, [2, 3]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('attention and layerNorm give the textbook result', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-builder-'));
  try {
    const file = path.join(dir, 'w.safetensors');
    await writeSafetensorsFile(file, { 'ln.weight': { dtype: 'F32', shape: [4], data: [1, 2, 1, 1] }, 'ln.bias': { dtype: 'F32', shape: [4], data: [0, 0, 1, 0] } });
    const { tensors } = await readSafetensors(file);
    const g = new GraphBuilder('attn');
    const q = g.input('q', 'float', [1, 'n', 4]);
    const kv = g.input('kv', 'float', [1, 'm', 4]);
    g.output(attention(g, q, kv, kv, 2, 4), 'o', 'float', [1, 'n', 4]);
    g.output(layerNorm(g, q, tensors.get('ln.weight')!, tensors.get('ln.bias')!, 1e-5), 'ln', 'float', [1, 'n', 4]);
    const modelPath = path.join(dir, 'model.onnx');
    await writeFile(modelPath, g.toModel({ locationOf: (f) => path.basename(f) }));
    const session = await ort.InferenceSession.create(modelPath);
    const qData = [1, 0, 0, 1];
    const kvData = [1, 0, 0, 1, 0, 1, 1, 0];
    const result = await session.run({ q: new ort.Tensor('float32', Float32Array.from(qData), [1, 1, 4]), kv: new ort.Tensor('float32', Float32Array.from(kvData), [1, 2, 4]) });
    // head 0: q=[1,0], keys [1,0],[0,1] → weights softmax([1,0]/√2); head 1: q=[0,1], keys [0,1],[1,0] → same weights
    const a = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    const expected = [a, 1 - a, 1 - a, a];
    (result.o!.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `o[${i}] ${v} vs ${expected[i]}`));
    const mean = 0.5;
    const std = Math.sqrt(0.25 + 1e-5);
    const ln = [(1 - mean) / std, (2 * (0 - mean)) / std, (0 - mean) / std + 1, (1 - mean) / std];
    (result.ln!.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - ln[i]!) < 1e-5, `ln[${i}] ${v} vs ${ln[i]}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the encoded model declares opset 21, symbolic dims and external data by offset and length', () => {
  const g = new GraphBuilder('meta');
  const x = g.input('x', 'float', ['batch', 4]);
  const w = g.weight({ name: 'w', dtype: 'F16', shape: [4, 4], file: '/data/model.safetensors', offset: 1234, byteLength: 32 });
  g.output(g.op('MatMul', [x, w]), 'y', 'float', ['batch', 4]);
  const model = decodeModel(g.toModel({ locationOf: () => 'model.safetensors', metadata: { component: 'test' } })) as {
    irVersion: number; opsetImport: { version: number }[]; graph: { input: { type: { tensorType: { shape: { dim: { dimParam?: string }[] } } } }[]; initializer: { name: string; dataType: number; externalData: { key: string; value: string }[] }[]; node: { opType: string }[] };
    metadataProps: { key: string; value: string }[];
  };
  assert.equal(model.opsetImport[0]!.version, 21);
  assert.equal(model.graph.input[0]!.type.tensorType.shape.dim[0]!.dimParam, 'batch');
  const init = model.graph.initializer.find((i) => i.name === 'w')!;
  assert.equal(init.dataType, 10);
  assert.deepEqual(init.externalData, [{ key: 'location', value: 'model.safetensors' }, { key: 'offset', value: '1234' }, { key: 'length', value: '32' }]);
  assert.deepEqual(model.graph.node.map((n) => n.opType), ['Cast', 'MatMul', 'Identity']);
  assert.deepEqual(model.metadataProps, [{ key: 'component', value: 'test' }]);
});

test('a weight stored transposed (strides [1, rows]) is read in place and transposed in the graph', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-builder-'));
  try {
    const file = path.join(dir, 'w.safetensors');
    await writeSafetensorsFile(file, { p: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] } });
    const stored = (await readSafetensors(file)).tensors.get('p')!;
    // The canonical tensor is the [3, 2] transpose of the stored [2, 3] matrix.
    const view = { ...stored, shape: [3, 2], strides: [1, 3] };
    const g = new GraphBuilder('transposed');
    const x = g.input('x', 'float', [1, 3]);
    g.output(g.op('MatMul', [x, g.weight(view)]), 'y', 'float', [1, 2]);
    const modelPath = path.join(dir, 'model.onnx');
    await writeFile(modelPath, g.toModel({ locationOf: (f) => path.basename(f) }));
    const session = await ort.InferenceSession.create(modelPath);
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 2]), [1, 3]) });
    // view = [[1,4],[2,5],[3,6]]; x·view = [1+6, 4+12]
    assert.deepEqual([...(result.y!.data as Float32Array)], [7, 16]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('nodes that read only initializers are listed first, the rest keep their order', () => {
  const node = (name: string, inputs: string[], outputs: string[]) => ({ name, inputs, outputs });
  const nodes = [
    node('relu', ['x'], ['a']),
    node('cast', ['w16'], ['w']),
    node('transpose', ['w'], ['wt']),
    node('matmul', ['a', 'wt'], ['y']),
    node('shape-of-constant', ['c'], ['s']),
    node('reshape', ['y', 's'], ['z']),
  ];
  const ordered = initializerNodesFirst(nodes, new Set(['w16', 'c']));
  assert.deepEqual(ordered.map((n) => n.name), ['cast', 'transpose', 'shape-of-constant', 'relu', 'matmul', 'reshape']);
});

test('in a session without constant folding, onnxruntime casts an fp16 weight right before its layer, not early', async () => {
  // The reason for initializerNodesFirst: a weight whose layer sits deep in the graph (here after a chain of Relus)
  // would otherwise be cast as soon as onnxruntime's ordering reached that layer, and held through the chain.
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-builder-'));
  try {
    const file = path.join(dir, 'w.safetensors');
    await writeSafetensorsFile(file, { 'late.weight': { dtype: 'F16', shape: [2, 2], data: [1, 0, 0, 1] } });
    const { tensors } = await readSafetensors(file);
    const g = new GraphBuilder('late-weight');
    let h = g.input('x', 'float', [1, 2]);
    for (let i = 0; i < 6; i++) h = g.op('Relu', [h]);
    g.output(g.op('MatMul', [h, g.weight(tensors.get('late.weight')!)]), 'y', 'float', [1, 2]);
    const modelPath = path.join(dir, 'model.onnx');
    await writeFile(modelPath, g.toModel({ locationOf: (f) => path.basename(f) }));
    const session = await ort.InferenceSession.create(modelPath, {
      graphOptimizationLevel: 'basic',
      extra: { optimization: { disable_specified_optimizers: 'ConstantFolding' } },
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'profile'),
    });
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, -2]), [1, 2]) });
    assert.deepEqual([...(result.y!.data as Float32Array)], [1, 0]);
    session.endProfiling();
    const profile = (await readdir(dir)).find((f) => f.startsWith('profile') && f.endsWith('.json'))!;
    const events = JSON.parse(await readFile(path.join(dir, profile), 'utf8')) as { cat?: string; name?: string; args?: { op_name?: string } }[];
    const order = events.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time')).map((e) => e.args?.op_name);
    assert.deepEqual(order, ['Relu', 'Relu', 'Relu', 'Relu', 'Relu', 'Relu', 'Cast', 'MatMul']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
