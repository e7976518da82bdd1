import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitUntil } from './wait-until.ts';

test('waitUntil resolves with the first truthy result, async predicates included', async () => {
  let checks = 0;
  assert.equal(await waitUntil(async () => (++checks >= 3 ? 'found' : null), { what: 'the third check', intervalMs: 1 }), 'found');
  assert.equal(checks, 3);
});

test('on the deadline it names what it waited for, the last result seen and the observed context', async () => {
  const acknowledged: string[] = [];
  await assert.rejects(waitUntil(() => acknowledged.length, { what: 'a write to be acknowledged', timeoutMs: 30, intervalMs: 5 }), /^Error: waited 0\.03 s for a write to be acknowledged; last seen: 0$/);
  await assert.rejects(waitUntil(() => false, { what: 'a ready message', timeoutMs: 10, intervalMs: 5, observe: () => ['starting'] }), /for a ready message; observed: \["starting"\]$/);
  await assert.rejects(
    waitUntil(() => {
      throw new Error('no such row');
    }, { what: 'the row', timeoutMs: 10, intervalMs: 5 }),
    /for the row; the last check threw: no such row/,
  );
});
