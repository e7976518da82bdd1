import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { GraphBuilder } from '../graph/graph-builder.ts';
import { SessionPool } from './session-pool.ts';
import { weightFootprint } from './weight-footprint.ts';

const detector = fixture('face', 'models', 'det_10g.onnx');
const recognizer = fixture('face', 'models', 'w600k_r50.onnx');

test('a session is created once and reused; an unavailable provider falls back to CPU with its reason recorded', async () => {
  const lines: string[] = [];
  const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: ['coreml'], log: (l) => lines.push(l) });
  const first = await pool.get(detector);
  const again = await pool.get(detector);
  assert.equal(first.session, again.session);
  assert.equal(first.provider, 'cpu');
  const coreml = pool.providers().find((p) => p.provider === 'coreml');
  assert.equal(coreml?.available, false);
  assert.ok(coreml?.reason && coreml.reason.length > 0);
  assert.equal(lines.length, 1, 'a failed provider is tried once, not per session');
  await pool.releaseAll();
});

test('CUDA without its provider library is skipped with a reason instead of a native error', async () => {
  const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: ['cuda'] });
  const { provider } = await pool.get(detector);
  const cuda = pool.providers().find((p) => p.provider === 'cuda')!;
  assert.equal(provider, cuda.available ? 'cuda' : 'cpu');
  if (!cuda.available) assert.match(cuda.reason ?? '', /CUDA|cuda/);
  await pool.releaseAll();
});

test('the least recently used session is released when the budget is exceeded', async () => {
  const budget = (await weightFootprint(recognizer)).expandedBytes + (await weightFootprint(detector)).expandedBytes / 2;
  const pool = new SessionPool({ memoryBudgetBytes: budget, preferredProviders: [] });
  await pool.get(detector);
  await pool.get(recognizer);
  assert.deepEqual(pool.openPaths(), [recognizer]);
  await pool.get(detector);
  assert.deepEqual(pool.openPaths(), [detector]);
  await pool.releaseAll();
  assert.deepEqual(pool.openPaths(), []);
});

test('a missing model file is a StudioError and leaves nothing in the pool', async () => {
  const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] });
  await assert.rejects(pool.get('/nonexistent/model.onnx'), { code: 'generate.model-missing' });
  assert.deepEqual(pool.openPaths(), []);
});

test('configure: another weight mode or provider list releases every session; a smaller budget releases the oldest', async () => {
  const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] });
  await pool.get(detector);
  await pool.get(recognizer);
  await pool.configure({ memoryBudgetBytes: 1e12, compactWeights: false, preferredProviders: [] });
  assert.deepEqual(pool.openPaths(), [detector, recognizer], 'unchanged settings keep the sessions');
  await pool.configure({ memoryBudgetBytes: (await weightFootprint(recognizer)).expandedBytes + 1 });
  assert.deepEqual(pool.openPaths(), [recognizer], 'the least recently used went to fit the new budget');
  await pool.configure({ compactWeights: true });
  assert.deepEqual(pool.openPaths(), [], 'sessions reopen in the new mode on next use');
  const reopened = await pool.get(recognizer);
  assert.equal(reopened.provider, 'cpu');
  await pool.configure({ preferredProviders: ['coreml'] });
  assert.deepEqual(pool.openPaths(), []);
  await pool.get(recognizer);
  assert.equal(pool.providers().find((p) => p.provider === 'coreml')?.available, false, 'the new provider was tried');
  await pool.releaseAll();
});

test('a compiled graph is counted by the checkpoint weights it references, not its small .onnx file', async () => {
  const { compiledFixture } = await import('../../../test/goldens/compiled-fixtures.ts');
  const { fixturesRoot } = await import('../../../test/helpers/fixtures.ts');
  const { statSync } = await import('node:fs');
  const fp32 = await compiledFixture(fixturesRoot, 'ldm', false);
  const fp16 = await compiledFixture(fixturesRoot, 'ldm-fp16', false);
  const [full, half] = [await weightFootprint(fp32.unet.path), await weightFootprint(fp16.unet.path)];
  assert.ok(full.storedBytes > 10 * statSync(fp32.unet.path).size, `${full.storedBytes} bytes of weights behind a ${statSync(fp32.unet.path).size}-byte graph`);
  const fileBytes = (p: string) => statSync(p).size;
  // The same tensors at half the bytes; expanded, both hold fp32 copies of the same size.
  assert.ok(Math.abs(half.storedBytes - fileBytes(fp16.unet.path) - (full.storedBytes - fileBytes(fp32.unet.path)) / 2) < 1024);
  assert.equal(half.expandedBytes - half.storedBytes, full.expandedBytes - full.storedBytes);
  const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [], compactWeights: true });
  const opened = await pool.get(fp16.unet.path);
  assert.equal(opened.compact, false, 'a tiny UNet is below the size where compact weights pay off');
  assert.equal(opened.bytes, half.expandedBytes);
  await pool.releaseAll();
  const compactPool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [], compactWeights: true, compactFromBytes: 0 });
  const compact = await compactPool.get(fp16.unet.path);
  assert.equal(compact.compact, true);
  assert.equal(compact.bytes, half.storedBytes, 'a compact session is counted at its stored size');
  await compactPool.releaseAll();
});

/** A graph over 128 MiB of fp32 weights (a sparse file): "large" for the pool, however little it computes. */
async function largeGraph(dir: string): Promise<string> {
  const weights = path.join(dir, 'large.bin');
  const elements = 2 ** 25;
  const handle = await open(weights, 'w');
  await handle.truncate(4 * elements);
  await handle.close();
  const g = new GraphBuilder('large');
  const x = g.input('x', 'float', [1]);
  g.output(g.op('Add', [x, g.weight({ name: 'w', dtype: 'F32', shape: [elements], file: weights, offset: 0, byteLength: 4 * elements })]), 'y', 'float', [elements]);
  const modelPath = path.join(dir, 'large.onnx');
  await writeFile(modelPath, g.toModel({ locationOf: (f) => path.basename(f) }));
  return modelPath;
}

test('a new stage releases the other stages’ compact sessions, and when everything is compact their small ones too', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'session-pool-'));
  try {
    const large = await largeGraph(dir);
    const fast = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] });
    await fast.get(large, 'denoise');
    await fast.get(detector, 'vae');
    await fast.get(large, 'denoise');
    assert.deepEqual(fast.openPaths(), [detector, large], 'fast weights: everything stays open across stages');
    await fast.releaseAll();

    const compact = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [], compactWeights: true });
    const unet = await compact.get(large, 'denoise');
    assert.equal(unet.compact && unet.releasedOnStageChange, true);
    await compact.get(large, 'denoise');
    assert.deepEqual(compact.openPaths(), [large], 'the same stage keeps its sessions');
    await compact.get(detector, 'vae');
    assert.deepEqual(compact.openPaths(), [detector], 'the compact denoiser is closed while the VAE runs');
    await compact.get(recognizer);
    await compact.get(large, 'denoise');
    assert.deepEqual(compact.openPaths(), [recognizer, large], 'the small VAE-stage session went; the one without a stage stays');
    await compact.releaseAll();

    // Automatic with plenty of RAM: only the graphs above its threshold are compact, and only they go between stages.
    const automatic = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [], compactWeights: true, compactFromBytes: 2 ** 27 });
    await automatic.get(large, 'denoise');
    await automatic.get(detector, 'vae');
    await automatic.get(large, 'denoise');
    assert.deepEqual(automatic.openPaths(), [detector, large]);
    await automatic.releaseAll();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
