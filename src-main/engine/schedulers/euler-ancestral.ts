// Euler ancestral (diffusers EulerAncestralDiscreteScheduler): Euler to σ_down, then fresh noise scaled by σ_up
// drawn from the job's generator every step; "Euler a" in A1111.
import { EulerScheduler } from './euler.ts';
import type { NoiseSource } from '../noise/torch-generator.ts';
import type { SchedulerConfig, StepResult } from './scheduler.ts';

const f = Math.fround;

export class EulerAncestralScheduler extends EulerScheduler {
  constructor(config: SchedulerConfig) {
    super({ ...config, useKarrasSigmas: false });
  }

  override step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise: NoiseSource, shape: readonly number[]): StepResult {
    const i = this.index.resolve(this.timesteps, timestep);
    const from = this.sigmas[i]!;
    const to = this.sigmas[i + 1]!;
    const original = this.predictOriginal(modelOutput, sample, from);
    const from2 = f(from * from);
    const to2 = f(to * to);
    const up = f(Math.sqrt(f(f(to2 * f(from2 - to2)) / from2)));
    const down = f(Math.sqrt(f(to2 - f(up * up))));
    const dt = f(down - from);
    const eps = noise.randn(shape);
    const prevSample = new Float32Array(sample.length);
    for (let k = 0; k < prevSample.length; k++) {
      const derivative = f(f(sample[k]! - original[k]!) / from);
      prevSample[k] = f(f(sample[k]! + f(derivative * dt)) + f(eps[k]! * up));
    }
    this.index.advance();
    return { prevSample, predOriginal: original };
  }
}
