// Bench hook (benchmarks issue): one generation setting run through the engine worker as the app runs it, reporting
// model load time (first job), sampling speed and the main thread's event-loop lag while jobs run
// (target p99 ≤ 20 ms on a full-size model).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GenerationParamsInput } from '../../../src-preload/contract/generation.ts';
import { StudioError } from '../../base/errors.ts';
import { EngineClient } from './engine-client.ts';
import type { EngineOptions, JobProgressEvent } from './protocol.ts';

export interface GenerationBenchResult {
  /** Seconds of the first job (compile or cache lookup, sessions, one image). */
  readonly firstJobSeconds: number;
  /** Median seconds per job after the first. */
  readonly jobSeconds: number;
  /** Median sampling speed reported by the engine after the first job. */
  readonly itPerSec: number;
  readonly eventLoopLagP99Ms: number;
  readonly eventLoopLagMaxMs: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchGeneration(options: { engine: EngineOptions; params: GenerationParamsInput; repeats?: number }): Promise<GenerationBenchResult> {
  const repeats = options.repeats ?? 3;
  const engine = EngineClient.start({ ...options.engine, previewEvery: options.engine.previewEvery ?? 5 });
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const speeds: number[] = [];
  const durations: number[] = [];
  let firstJobSeconds = 0;
  try {
    lag.enable();
    for (let run = 0; run <= repeats; run++) {
      let lastSpeed = 0;
      const onProgress = (e: JobProgressEvent) => (lastSpeed = e.itPerSec);
      engine.on('progress', onProgress);
      const started = performance.now();
      const result = await engine.waitFor(engine.submit(options.params));
      engine.off('progress', onProgress);
      if (result.state !== 'done') {
        throw new StudioError(result.error?.code ?? 'internal', { userMessage: `The bench job ended as ${result.state}: ${result.error?.userMessage ?? ''}` });
      }
      const seconds = (performance.now() - started) / 1000;
      if (run === 0) firstJobSeconds = seconds;
      else {
        durations.push(seconds);
        speeds.push(lastSpeed);
      }
    }
    lag.disable();
    return {
      firstJobSeconds,
      jobSeconds: median(durations),
      itPerSec: median(speeds),
      eventLoopLagP99Ms: lag.percentile(99) / 1e6,
      eventLoopLagMaxMs: lag.max / 1e6,
    };
  } finally {
    await engine.close();
  }
}
