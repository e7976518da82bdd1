import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monitorEventLoopLag } from './event-loop-lag.ts';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('lateness: a blocked loop shows at least its block', async () => {
  const blocked = monitorEventLoopLag();
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    busyFor(60);
  }
  const withBlocks = blocked.stop();
  // A lower bound only: load can make the timers later than the 60 ms the loop was held, never earlier. How little an
  // idle loop reads depends on the machine's load, so that is a bench figure (engine.event_loop_lag_idle_p99).
  assert.ok(withBlocks.maxMs >= 50, `a 60 ms block reads as ${withBlocks.maxMs} ms`);
  assert.ok(withBlocks.p99Ms <= withBlocks.maxMs);
});
