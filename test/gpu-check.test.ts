// `npm run gpu-check`'s parts that run without a GPU: its fp16 tolerance table against the fixture tolerances, its
// suite lists against the golden suites, and one golden child run in fp16 compute on the CPU.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { GoldenRunSummary } from '../scripts/gpu-check/goldens-child.ts';
import { CPU_PART_SUITES, FP16_COMPUTE_TOLERANCES, GRAPH_SUITES } from '../scripts/gpu-check/tolerances.ts';
import { TOLERANCES, type ToleranceName } from './goldens/tolerances.ts';
import { fixturesRoot, repoRoot } from './helpers/fixtures.ts';

test('fp16-compute tolerances only widen fp32 ones, in the same metric', () => {
  for (const [name, fp16] of Object.entries(FP16_COMPUTE_TOLERANCES) as [ToleranceName, { metric: string; value: number }][]) {
    assert.equal(fp16.metric, TOLERANCES[name].metric, name);
    assert.ok(fp16.value >= TOLERANCES[name].value, name);
  }
});

test('the suites gpu-check runs are golden suites', async () => {
  const suites = new Set<string>();
  for (const file of readdirSync(path.join(repoRoot, 'test/goldens/suites')).filter((f) => f.endsWith('.ts'))) {
    suites.add(((await import(path.join(repoRoot, 'test/goldens/suites', file))) as { suite: { name: string } }).suite.name);
  }
  for (const name of [...GRAPH_SUITES, ...CPU_PART_SUITES]) assert.ok(suites.has(name), name);
});

test('a golden child run: fp16-compute graphs on the CPU pass the text-encoder goldens at the fp16 tolerances', () => {
  const child = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/gpu-check/goldens-child.ts'), fixturesRoot, 'fp16', 'text-encoder'], {
    encoding: 'utf8',
    env: { ...process.env, GOLDEN_PROVIDER: 'cpu', GOLDEN_COMPUTE: 'fp16' },
    maxBuffer: 16 * 2 ** 20,
  });
  assert.equal(child.status, 0, child.stderr.slice(-2000));
  const summary = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as GoldenRunSummary;
  assert.equal(summary.compute, 'fp16');
  assert.ok(summary.passed > 0);
  assert.deepEqual(summary.failures, []);
  // fp16 rounding shows: the worst text-encoder line is above fp32's bound and within fp16's.
  const worst = summary.worstBySuite['text-encoder']!;
  assert.ok(worst.error > TOLERANCES.textEncoder.value && worst.error <= FP16_COMPUTE_TOLERANCES.textEncoder!.value, `${worst.name} ${worst.error}`);
});
