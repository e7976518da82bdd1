// LCM (diffusers LCMScheduler): consistency-model steps over a 50-step distillation grid; fresh noise between steps.
import { AlphaScheduler, predictOriginal } from './alpha-noise.ts';
import { checkSteps, type Scheduler, type StepResult } from './scheduler.ts';
import type { NoiseSource } from '../noise/torch-generator.ts';

const f = Math.fround;
const SIGMA_DATA = 0.5;

export class LcmScheduler extends AlphaScheduler implements Scheduler {
  private stepIndex: number | undefined;
  private beginIndex: number | undefined;

  setTimesteps(steps: number): void {
    const original = this.config.originalInferenceSteps;
    checkSteps(steps, original);
    const k = Math.floor(this.config.numTrainTimesteps / original);
    const origin = Array.from({ length: original }, (_, i) => (i + 1) * k - 1).reverse();
    this.timesteps = Array.from({ length: steps }, (_, i) => origin[Math.floor((i * origin.length) / steps)]!);
    this.stepIndex = undefined;
    this.beginIndex = undefined;
  }

  setBeginIndex(index: number): void {
    this.beginIndex = index;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise: NoiseSource, shape: readonly number[]): StepResult {
    const index = this.stepIndex ?? this.beginIndex ?? this.timesteps.indexOf(timestep);
    const isLast = index === this.timesteps.length - 1;
    const prevT = isLast ? timestep : this.timesteps[index + 1]!;
    const alphaProd = this.alphas[timestep]!;
    const alphaPrev = prevT >= 0 ? this.alphas[prevT]! : this.finalAlpha;
    const scaled = timestep * this.config.timestepScaling;
    const cSkip = f(SIGMA_DATA ** 2 / (scaled ** 2 + SIGMA_DATA ** 2));
    const cOut = f(scaled / Math.sqrt(scaled ** 2 + SIGMA_DATA ** 2));
    const { original } = predictOriginal(this.config.predictionType, alphaProd, modelOutput, sample);
    const denoised = new Float32Array(sample.length);
    for (let i = 0; i < denoised.length; i++) denoised[i] = f(f(cOut * original[i]!) + f(cSkip * sample[i]!));
    let prevSample = denoised;
    if (!isLast) {
      const eps = noise.randn(shape);
      const a = f(Math.sqrt(alphaPrev));
      const b = f(Math.sqrt(f(1 - alphaPrev)));
      prevSample = new Float32Array(sample.length);
      for (let i = 0; i < prevSample.length; i++) prevSample[i] = f(a * denoised[i]!) + f(b * eps[i]!);
    }
    this.stepIndex = index + 1;
    return { prevSample, predOriginal: denoised };
  }
}
