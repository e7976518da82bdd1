// A plain float32 tensor for CPU-side maths (schedulers, projections, image pre/post-processing).

export interface TensorF32 {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensorF32(shape: readonly number[], data?: Float32Array): TensorF32 {
  const size = numel(shape);
  if (data && data.length !== size) {
    throw new RangeError(`tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`);
  }
  return { data: data ?? new Float32Array(size), shape: [...shape] };
}
