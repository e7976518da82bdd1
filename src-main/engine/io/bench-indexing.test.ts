import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { benchCheckpointIndexing } from './bench-indexing.ts';

test('benchCheckpointIndexing indexes a single file and reports time, heap and tensor count', async () => {
  const result = await benchCheckpointIndexing(fixture('sd15-tiny.safetensors'));
  assert.equal(result.tensors, 992);
  assert.ok(result.seconds > 0);
  assert.ok(Number.isFinite(result.heapDeltaBytes));
});
