// The attention compile option: fused and unfused compilations are cached apart and say which they are, and their
// graphs hold what the option names. (The goldens pass both ways: goldens.test.ts fused, goldens-unfused.test.ts unfused.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeModel } from '../../src-main/engine/graph/onnx-proto.ts';
import { compileModel, DEFAULT_ATTENTION } from '../../src-main/engine/models/compile.ts';
import { fixture } from '../helpers/fixtures.ts';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'attention-kernels-test-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** How many nodes of each kind: `com.microsoft:MultiHeadAttention`, `Softmax`, … */
function opCounts(modelPath: string): Map<string, number> {
  const model = decodeModel(readFileSync(modelPath)) as { graph: { node: { opType: string; domain?: string }[] } };
  const counts = new Map<string, number>();
  for (const node of model.graph.node) {
    const kind = node.domain ? `${node.domain}:${node.opType}` : node.opType;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

test('attention option: fused and unfused are cached apart, recorded in the manifest, and build what they name', async () => {
  const cacheDir = path.join(work, 'cache');
  const fused = await compileModel(fixture('sd15-tiny'), { cacheDir, attention: 'fused' });
  const unfused = await compileModel(fixture('sd15-tiny'), { cacheDir, attention: 'unfused' });
  const byDefault = await compileModel(fixture('sd15-tiny'), { cacheDir });
  assert.notEqual(fused.key, unfused.key);
  assert.equal(fused.attention, 'fused');
  assert.equal(unfused.attention, 'unfused');
  assert.equal(byDefault.key, (DEFAULT_ATTENTION === 'fused' ? fused : unfused).key);
  assert.equal(byDefault.fromCache, true, 'the default is one of the two, from the cache');
  // Neither supersedes the other: both are still there to be reused.
  assert.equal((await compileModel(fixture('sd15-tiny'), { cacheDir, attention: 'unfused' })).fromCache, true);
  assert.equal((await compileModel(fixture('sd15-tiny'), { cacheDir, attention: 'fused' })).fromCache, true);

  for (const graph of [fused.unet.path, fused.vaeDecoder.path, fused.vaeEncoder.path]) {
    const counts = opCounts(graph);
    assert.ok((counts.get('com.microsoft:MultiHeadAttention') ?? 0) > 0, `${graph}: fused attention`);
    assert.equal(counts.get('Softmax'), undefined, `${graph}: no score matrix softmax`);
  }
  // One fused node for every attention the unfused graph computes (one Softmax each).
  assert.equal(opCounts(fused.unet.path).get('com.microsoft:MultiHeadAttention'), opCounts(unfused.unet.path).get('Softmax'));
  for (const graph of [unfused.unet.path, unfused.vaeDecoder.path]) {
    const counts = opCounts(graph);
    assert.equal(counts.get('com.microsoft:MultiHeadAttention'), undefined, `${graph}: plain ONNX`);
    assert.ok((counts.get('Softmax') ?? 0) > 0);
  }
});
