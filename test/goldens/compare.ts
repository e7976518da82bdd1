// Whole-tensor comparison against goldens: err = max|actual − expected| (÷ std(expected) for 'rel-std').

export type GoldenMetric = 'rel-std' | 'abs' | 'exact';

export interface Comparison {
  /** The measured error in the metric's unit. */
  readonly error: number;
  readonly worstIndex: number;
  readonly actual: number;
  readonly expected: number;
}

export function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i]! - mean) ** 2;
  return Math.sqrt(variance / values.length);
}

/** Compares element by element; a length mismatch or a NaN is an infinite error. */
export function compareTensors(actual: ArrayLike<number>, expected: ArrayLike<number>, metric: GoldenMetric): Comparison {
  if (actual.length !== expected.length) {
    return { error: Number.POSITIVE_INFINITY, worstIndex: -1, actual: actual.length, expected: expected.length };
  }
  let worst = 0;
  let worstIndex = 0;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    const d = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
    if (d > worst) {
      worst = d;
      worstIndex = i;
    }
  }
  const scale = metric === 'rel-std' ? std(expected) || 1 : 1;
  return { error: worst / scale, worstIndex, actual: actual[worstIndex] ?? Number.NaN, expected: expected[worstIndex] ?? Number.NaN };
}
