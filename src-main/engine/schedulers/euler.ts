// Euler (diffusers EulerDiscreteScheduler, s_churn 0): the k-diffusion Euler method; "Euler" in A1111.
import { eulerSchedule, scaleBySigma, StepIndex } from './sigma-schedule.ts';
import type { NoiseSource } from '../noise/torch-generator.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.ts';

const f = Math.fround;

export class EulerScheduler implements Scheduler {
  readonly order = 1;
  timesteps: number[] = [];
  sigmas: number[] = [];
  protected readonly config: SchedulerConfig;
  protected readonly index = new StepIndex();

  constructor(config: SchedulerConfig) {
    this.config = config;
  }

  get initNoiseSigma(): number {
    const max = Math.max(...this.sigmas);
    return this.config.timestepSpacing === 'leading' ? f(Math.sqrt(f(f(max * max) + 1))) : max;
  }

  setTimesteps(steps: number): void {
    ({ timesteps: this.timesteps, sigmas: this.sigmas } = eulerSchedule(this.config, steps));
    this.index.reset();
  }

  setBeginIndex(index: number): void {
    this.index.setBegin(index);
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[this.index.resolve(this.timesteps, timestep)]!);
  }

  /** x₀ estimate from the model output at σ (ε- or v-prediction, as diffusers' Euler computes it). */
  protected predictOriginal(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const out = new Float32Array(sample.length);
    if (this.config.predictionType === 'epsilon') {
      for (let i = 0; i < out.length; i++) out[i] = f(sample[i]! - f(sigma * modelOutput[i]!));
    } else {
      const s2 = f(f(sigma * sigma) + 1);
      const c1 = f(-sigma / f(Math.sqrt(s2)));
      const c2 = f(1 / s2);
      for (let i = 0; i < out.length; i++) out[i] = f(f(modelOutput[i]! * c1) + f(sample[i]! * c2));
    }
    return out;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _noise?: NoiseSource, _shape?: readonly number[]): StepResult {
    const i = this.index.resolve(this.timesteps, timestep);
    const sigma = this.sigmas[i]!;
    const original = this.predictOriginal(modelOutput, sample, sigma);
    const dt = f(this.sigmas[i + 1]! - sigma);
    const prevSample = new Float32Array(sample.length);
    for (let k = 0; k < prevSample.length; k++) {
      const derivative = f(f(sample[k]! - original[k]!) / sigma);
      prevSample[k] = f(sample[k]! + f(derivative * dt));
    }
    this.index.advance();
    return { prevSample, predOriginal: original };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const sigma = this.sigmas[this.index.forNoise(this.timesteps, timestep)]!;
    return original.map((v, k) => f(v + f(noise[k]! * sigma)));
  }
}
