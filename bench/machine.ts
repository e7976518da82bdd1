// The machine a bench run measured: every figure is only comparable with figures from the same description.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

export interface MachineDescription {
  readonly cpuModel: string;
  /** Logical CPUs the OS reports (available parallelism). */
  readonly cores: number;
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly onnxruntime: string;
  /** 1-minute load average at the start: another process competing for the CPU makes every timing slower. */
  readonly loadAverageAtStart: number;
}

function onnxruntimeVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve('onnxruntime-node/package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): MachineDescription {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    loadAverageAtStart: os.loadavg()[0] ?? 0,
  };
}
