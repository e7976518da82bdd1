// Recorded noise draws (the goldens' noiseNN / randnNN tensors) replayed as a NoiseSource.
import type { NoiseSource } from './torch-generator.ts';

/** Replays recorded draws in order; running out is a failure of the port (it drew more than diffusers). */
export function recordedNoise(draws: readonly Float32Array[], label: string): NoiseSource {
  let next = 0;
  return {
    randn(shape) {
      const draw = draws[next++];
      const size = shape.reduce((a, b) => a * b, 1);
      if (!draw || draw.length !== size) throw new Error(`${label}: noise draw ${next - 1} of shape [${shape.join(',')}] was not recorded`);
      return draw;
    },
  };
}
