// The pure parts of `npm run bench` (the run itself is too long for npm test): the graph FLOP counter on hand-made
// and on a compiled tiny model, the MatMul microbenchmark graph in onnxruntime, the random-weight writer, and the
// results.json schema with its table and targets.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { TimedSessionPool } from '../../bench/engine-bench.ts';
import { countGraphFlops } from '../../bench/flops.ts';
import { valueRule, writeRandomSafetensors } from '../../bench/generate-weights.ts';
import { buildMatMulModel, MatMulMeter, PEAK_SHAPES } from '../../bench/matmul-peak.ts';
import { completeFigures, evaluateTargets, FIGURES, formatTable, measured, notAvailable, percentile, RESULTS_SCHEMA_VERSION, ResultsSchema, type FigureId } from '../../bench/results.ts';
import { GraphBuilder } from '../../src-main/engine/graph/graph-builder.ts';
import { readTensorFloat32 } from '../../src-main/engine/io/descriptors.ts';
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';
import { compileModel } from '../../src-main/engine/models/compile.ts';
import { fixture } from '../helpers/fixtures.ts';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'bench-harness-test-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('FLOP counter: MatMul with batch broadcast, Conv with stride/padding, shapes through Shape→Gather→Concat→Reshape', () => {
  const g = new GraphBuilder('flops');
  const x = g.input('x', 'float', ['b', 3, 5]);
  const w = g.input('w', 'float', [5, 7]);
  const y = g.op('MatMul', [x, w]); // [b,3,7]
  const batch = g.op('Gather', [g.op('Shape', [y]), g.constInt64([0])], { axis: 0 });
  const flat = g.op('Reshape', [y, g.op('Concat', [batch, g.constInt64([1, 3, 7])], { axis: 0 })]); // [b,1,3,7]
  const kernel = g.input('k', 'float', [4, 1, 3, 3]);
  const conv = g.op('Conv', [flat, kernel], { pads: [1, 1, 1, 1], strides: [2, 2] }); // [b,4,2,4]
  g.output(conv, 'out', 'float', ['b', 4, 2, 4]);
  const model = g.toModel({ locationOf: () => '' });
  const count = countGraphFlops(model, { x: [6, 3, 5], w: [5, 7], k: [4, 1, 3, 3] });
  const matmul = 2 * 6 * 3 * 5 * 7;
  const convFlops = 2 * 6 * 4 * (2 * 4) * (1 * 3 * 3);
  assert.equal(count.byOp.MatMul, matmul);
  assert.equal(count.byOp.Conv, convFlops);
  assert.equal(count.matrixFlops, matmul + convFlops);
  assert.equal(count.largestTensorElements, 6 * 4 * 2 * 4);
});

test('FLOP counter: unknown ops and missing input shapes are reported, not guessed', () => {
  const g = new GraphBuilder('odd');
  const x = g.input('x', 'float', [2, 2]);
  g.output(g.op('Einsum', [x], { equation: 'ij->ji' }), 'y', 'float', [2, 2]);
  const model = g.toModel({ locationOf: () => '' });
  assert.throws(() => countGraphFlops(model, { x: [2, 2] }), /does not know ONNX op Einsum/);
  assert.throws(() => countGraphFlops(model, {}), /no shape given for graph input x/);
});

test('FLOP counter on the compiled tiny SD1.5 UNet with FaceID: convs scale with pixels, attention faster, batch linear, fused attention counted as unfused', async () => {
  const options = { cacheDir: path.join(work, 'compiled'), adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.safetensors') };
  const compiled = await compileModel(fixture('sd15-tiny'), { ...options, attention: 'unfused' });
  const fused = await compileModel(fixture('sd15-tiny'), { ...options, attention: 'fused' });
  const dim = compiled.unet.crossAttentionDim;
  const shapes = (batch: number, side: number) => ({
    sample: [batch, 4, side, side],
    timestep: [1],
    encoder_hidden_states: [batch, 77, dim],
    ip_tokens: [batch, 4, dim],
    ip_scale: [compiled.unet.crossAttentionLayers],
    lora_strengths: [compiled.loras.length],
  });
  const small = countGraphFlops(compiled.unet.path, shapes(2, 8));
  const large = countGraphFlops(compiled.unet.path, shapes(2, 16));
  const larger = countGraphFlops(compiled.unet.path, shapes(2, 32));
  const single = countGraphFlops(compiled.unet.path, shapes(1, 8));
  assert.ok(small.byOp.Conv! > 0 && small.byOp.MatMul! > 0);
  assert.equal(large.byOp.Conv, 4 * small.byOp.Conv!, 'conv work is proportional to the latent area');
  // MatMul work = a + b·area + c·area² (text K/V, linear layers, self-attention): with areas 64, 256, 1024 the
  // differences give (f1024 − f256) − 4·(f256 − f64) = 737280·c, positive only if self-attention is counted.
  const [f64, f256, f1024] = [small, large, larger].map((c) => c.byOp.MatMul!) as [number, number, number];
  assert.ok(f1024 - f256 - 4 * (f256 - f64) > 0, 'self-attention makes MatMul work grow with the square of the area');
  assert.equal(small.matrixFlops, 2 * single.matrixFlops, 'the CFG batch doubles the work');
  const fusedLarge = countGraphFlops(fused.unet.path, shapes(2, 16));
  assert.ok(fusedLarge.byOp.MultiHeadAttention! > 0);
  assert.equal(fusedLarge.matrixFlops, large.matrixFlops, 'the same work whichever way attention is built');
  assert.ok(fusedLarge.largestTensorElements <= large.largestTensorElements);
  // The text encoder and VAE graphs are walkable too (the bench counts them in its notes).
  assert.ok(countGraphFlops(compiled.textEncoders[0]!.path, { input_ids: [2, 77], token_vectors: [2, 77, compiled.textEncoders[0]!.hiddenSize], token_vector_mask: [2, 77, 1] }).matrixFlops > 0);
  assert.ok(countGraphFlops(compiled.vaeDecoder.path, { latent: [1, 4, 8, 8] }).byOp.Conv! > 0);
});

test('MatMul microbenchmark graph: onnxruntime computes A·W and the counter agrees on its FLOPs', async () => {
  const shape = { m: 2, k: 3, n: 4 };
  const file = path.join(work, 'matmul.onnx');
  await writeFile(file, buildMatMulModel(shape));
  assert.equal(countGraphFlops(file, { a: [2, 3] }).matrixFlops, 2 * 2 * 3 * 4);
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ a: new ort.Tensor('float32', Float32Array.of(1, 0, 0, 0, 1, 0), [2, 3]) });
  const y = out.y!.data as Float32Array;
  assert.deepEqual([...out.y!.dims], [2, 4]);
  // Row i of A·W with A = the first two unit rows is row i of W; W's rows differ, so the rows of y must too.
  assert.notDeepEqual([...y.subarray(0, 4)], [...y.subarray(4, 8)]);
  await session.release();

  // The bench's timed pool counts the time spent inside session.run, and only there.
  const pool = new TimedSessionPool({ memoryBudgetBytes: 2 ** 30, preferredProviders: [] });
  const { session: timed } = await pool.get(file);
  assert.deepEqual(timed.inputNames, ['a']);
  const again = await timed.run({ a: new ort.Tensor('float32', Float32Array.of(1, 0, 0, 0, 1, 0), [2, 3]) });
  assert.deepEqual([...(again.y!.data as Float32Array)], [...y]);
  assert.equal(pool.runs, 1);
  assert.ok(pool.runSeconds > 0);
  await pool.releaseAll();
});

test('MatMul meter: the peak shapes are large (≥ 1024 on every side), a measurement gives one finite median per shape on every thread', async () => {
  for (const shape of PEAK_SHAPES) assert.ok(Math.min(shape.m, shape.k, shape.n) >= 1024);
  const meter = new MatMulMeter();
  try {
    const rates = await meter.measure([{ m: 8, k: 16, n: 4 }, { m: 4, k: 4, n: 4 }], 3);
    assert.deepEqual(rates.map((r) => r.shape.m), [8, 4]);
    for (const r of rates) assert.ok(Number.isFinite(r.gflops) && r.gflops > 0);
    assert.ok(meter.threads >= 1);
  } finally {
    meter.dispose();
  }
});

test('random weights: fp16 safetensors readable, deterministic, norm scales 1, weights scaled by 1/√fan_in', async () => {
  const tensors = new Map<string, readonly number[]>([
    ['block.norm.weight', [64]],
    ['block.proj.weight', [32, 256]],
    ['block.proj.bias', [32]],
    ['block.conv.weight', [8, 16, 3, 3]],
  ]);
  const a = path.join(work, 'a.safetensors');
  const b = path.join(work, 'b.safetensors');
  writeRandomSafetensors(a, tensors, 7);
  writeRandomSafetensors(b, tensors, 7);
  const [ia, ib] = await Promise.all([readSafetensors(a), readSafetensors(b)]);
  for (const [name, shape] of tensors) {
    const da = ia.tensors.get(name)!;
    assert.equal(da.dtype, 'F16');
    assert.deepEqual(da.shape, shape);
    const va = await readTensorFloat32(da);
    assert.deepEqual(va, await readTensorFloat32(ib.tensors.get(name)!), `${name} is the same on every run`);
    const rule = valueRule(name, shape);
    if ('constant' in rule) {
      assert.ok(va.every((v) => v === rule.constant));
      continue;
    }
    assert.ok('range' in rule);
    const std = Math.sqrt(va.reduce((s, v) => s + v * v, 0) / va.length);
    const expected = rule.range / Math.sqrt(3);
    assert.ok(Math.abs(std - expected) < 0.1 * expected, `${name}: std ${std} vs ${expected}`);
    assert.ok(va.every((v) => Math.abs(v) <= rule.range * 1.001));
  }
  assert.deepEqual(valueRule('x.proj.weight', [32, 256]), { range: Math.sqrt(3 / 256) });
});

test('results.json schema: every figure present (n/a with reason allowed), table and targets from the same figures', () => {
  const figures = completeFigures(
    {
      'library.page_p99': measured(3.2, 'ms', { repeats: 200 }),
      'txt2img.256.overhead': measured(4, '%'),
      'run.peak_rss': measured(5000, 'MB'),
      'weights.compact.peak_rss': measured(3000, 'MB'),
      'gallery.first_page': measured(250, 'ms', { repeats: 6 }),
      'gallery.filter': measured(140, 'ms', { repeats: 24 }),
    },
    'engine part missing',
  );
  assert.deepEqual(figures['unet.512.step'], notAvailable('engine part missing'));
  const results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    mode: 'quick',
    startedAt: new Date(0).toISOString(),
    wallSeconds: 1,
    machine: { cpuModel: 'x', cores: 2, totalMemoryBytes: 1, platform: 'p', arch: 'a', node: 'v22', onnxruntime: '1.30.0', loadAverageAtStart: 0 },
    inputs: { checkpoint: 'c' },
    figures,
    targets: evaluateTargets(figures, { fp16WeightBytes: 2e9, workingSetBytes: 1e9, txt2imgWorkingSetBytes: 0.1e9 }),
  };
  const parsed = ResultsSchema.parse(results);
  const byFigure = new Map(parsed.targets.map((t) => [t.figure, t]));
  assert.equal(byFigure.get('library.page_p99')!.met, true);
  assert.equal(byFigure.get('txt2img.256.overhead')!.met, false);
  assert.equal(byFigure.get('run.peak_rss')!.met, false, '5000 MB > 1.3 × 2000 + 1000 MB');
  assert.equal(byFigure.get('weights.compact.peak_rss')!.met, false, '3000 MB > 1.3 × 2000 + 100 MB: the 256² working set, not the largest size run');
  assert.equal(byFigure.get('engine.event_loop_lag_p99')!.met, null);
  // The gallery's limits from the old browser test: first page ≤ 300 ms, filters ≤ 100 ms.
  assert.equal(byFigure.get('gallery.first_page')!.met, true);
  assert.equal(byFigure.get('gallery.filter')!.met, false);
  assert.equal(byFigure.get('gallery.sort')!.met, null);
  assert.equal(byFigure.get('selftest.cpu')!.met, null);
  const { ['vae.decode.256']: _dropped, ...incomplete } = figures;
  assert.equal(ResultsSchema.safeParse({ ...results, figures: incomplete }).success, false, 'a figure left out is refused');
  assert.equal(ResultsSchema.safeParse({ ...results, figures: { ...figures, 'vae.decode.256': { value: 1 } } }).success, false, 'a value needs its unit');
  const table = formatTable(parsed);
  for (const id of Object.keys(FIGURES) as FigureId[]) assert.ok(table.includes(FIGURES[id]), `table row for ${id}`);
  assert.match(table, /n\/a \(engine part missing\)/);
  assert.match(table, /3\.20 ms\s+×200/);
});

test('percentile interpolates between ranks', () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
  assert.equal(percentile([10], 99), 10);
  assert.ok(Number.isNaN(percentile([], 50)));
});
