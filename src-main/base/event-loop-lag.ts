// How late the main thread's timers fire: the figure behind "the app stays responsive while the engine works".
// node's monitorEventLoopDelay records the time between the ticks of a repeating timer, which includes the timer's
// own interval (idle at resolution 10 ms it reads ≈ 10 ms), so the interval is taken off to leave the lateness.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopLag {
  readonly p99Ms: number;
  readonly maxMs: number;
}

const RESOLUTION_MS = 1;

/** Starts sampling; `stop()` ends it and returns the lateness p99 and maximum in milliseconds. */
export function monitorEventLoopLag(): { stop(): EventLoopLag } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const lateness = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
  return {
    stop() {
      histogram.disable();
      return { p99Ms: lateness(histogram.percentile(99)), maxMs: lateness(histogram.max) };
    },
  };
}
