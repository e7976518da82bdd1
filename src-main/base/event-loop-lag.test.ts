import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monitorEventLoopLag } from './event-loop-lag.ts';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('lateness, not the sampling interval: a blocked loop shows its block, timers alone show next to nothing', async () => {
  const blocked = monitorEventLoopLag();
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    busyFor(60);
  }
  const withBlocks = blocked.stop();
  assert.ok(withBlocks.maxMs >= 50, `a 60 ms block reads as ${withBlocks.maxMs} ms`);
  const idle = monitorEventLoopLag();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const quiet = idle.stop();
  assert.ok(quiet.maxMs < withBlocks.maxMs, `idle max ${quiet.maxMs} ms < blocked max ${withBlocks.maxMs} ms`);
});
