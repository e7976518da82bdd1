// What a golden suite is: a named set of comparisons against one fixture folder.
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';
import { readTensorFloat32 } from '../../src-main/engine/io/descriptors.ts';
import { compareTensors, type Comparison } from './compare.ts';
import { TOLERANCES, type Tolerance, type ToleranceName } from './tolerances.ts';

export interface GoldenResult {
  readonly name: string;
  readonly error: number;
  readonly tolerance: number;
  readonly metric: string;
  readonly passed: boolean;
  readonly detail?: string;
}

export interface GoldenContext {
  /** The fixture folder being checked (same layout as ../shared/fixtures). */
  readonly fixtures: string;
  /** Compares whole tensors with the named tolerance and records one result line. */
  check(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: ToleranceName): Comparison;
  /** Records a result computed another way (e.g. an exact integer match). */
  record(result: GoldenResult): void;
}

export interface GoldenSuite {
  readonly name: string;
  run(context: GoldenContext): Promise<void>;
}

/** Loads every tensor of a golden safetensors file as float32, keyed by name. */
export async function loadGoldenTensors(file: string): Promise<{ tensors: Map<string, { data: Float32Array; shape: readonly number[] }>; metadata: Readonly<Record<string, string>> }> {
  const index = await readSafetensors(file);
  const tensors = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  for (const [name, descriptor] of index.tensors) {
    tensors.set(name, { data: await readTensorFloat32(descriptor), shape: descriptor.shape });
  }
  return { tensors, metadata: index.metadata };
}

/** `override`: another tolerance for this run (gpu-check's fp16-compute ones); the golden's own otherwise. */
export function compareWithTolerance(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, toleranceName: ToleranceName, override?: Tolerance): { comparison: Comparison; result: GoldenResult } {
  const tolerance = override ?? TOLERANCES[toleranceName];
  const comparison = compareTensors(actual, expected, tolerance.metric);
  const passed = comparison.error <= tolerance.value;
  const detail = passed
    ? undefined
    : `worst at index ${comparison.worstIndex}: ours ${comparison.actual}, golden ${comparison.expected}`;
  return {
    comparison,
    result: { name, error: comparison.error, tolerance: tolerance.value, metric: tolerance.metric, passed, ...(detail ? { detail } : {}) },
  };
}
