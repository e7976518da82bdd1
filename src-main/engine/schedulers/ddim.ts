// DDIM (diffusers DDIMScheduler, η = 0): deterministic; "DDIM" in A1111.
import { AlphaScheduler, predictOriginal } from './alpha-noise.ts';
import { checkSteps, discreteTimesteps, type Scheduler, type StepResult } from './scheduler.ts';

const f = Math.fround;

export class DdimScheduler extends AlphaScheduler implements Scheduler {
  private steps = 0;

  setTimesteps(steps: number): void {
    checkSteps(steps, this.config.numTrainTimesteps);
    this.steps = steps;
    this.timesteps = discreteTimesteps(this.config, steps);
  }

  setBeginIndex(): void {}

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    const prevTimestep = timestep - Math.floor(this.config.numTrainTimesteps / this.steps);
    const alphaProd = this.alphas[timestep]!;
    const alphaPrev = prevTimestep >= 0 ? this.alphas[prevTimestep]! : this.finalAlpha;
    const { original, epsilon } = predictOriginal(this.config.predictionType, alphaProd, modelOutput, sample);
    const a = f(Math.sqrt(alphaPrev));
    const d = f(Math.sqrt(f(1 - alphaPrev)));
    const prevSample = new Float32Array(sample.length);
    for (let i = 0; i < prevSample.length; i++) prevSample[i] = f(a * original[i]!) + f(d * epsilon[i]!);
    return { prevSample, predOriginal: original };
  }
}
