// DPM++ 2M (diffusers DPMSolverMultistepScheduler: dpmsolver++, order 2, midpoint, lower_order_final); with
// use_karras_sigmas it is A1111's "DPM++ 2M Karras".
import { dpmSchedule, StepIndex } from './sigma-schedule.ts';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.ts';

const f = Math.fround;

/** α_t, σ_t and λ_t = log α_t − log σ_t of a k-diffusion σ. */
function alphaSigmaLambda(sigma: number): { alpha: number; sigmaT: number; lambda: number } {
  const alpha = f(1 / f(Math.sqrt(f(f(sigma * sigma) + 1))));
  const sigmaT = f(sigma * alpha);
  return { alpha, sigmaT, lambda: f(f(Math.log(alpha)) - f(Math.log(sigmaT))) };
}

export class DpmSolverMultistepScheduler implements Scheduler {
  readonly initNoiseSigma = 1;
  readonly order = 1;
  timesteps: number[] = [];
  sigmas: number[] = [];
  private readonly config: SchedulerConfig;
  private readonly index = new StepIndex();
  private previousOutput: Float32Array | undefined;
  private lowerOrderCount = 0;

  constructor(config: SchedulerConfig) {
    this.config = config;
  }

  setTimesteps(steps: number): void {
    ({ timesteps: this.timesteps, sigmas: this.sigmas } = dpmSchedule(this.config, steps));
    this.index.reset();
    this.previousOutput = undefined;
    this.lowerOrderCount = 0;
  }

  setBeginIndex(index: number): void {
    this.index.setBegin(index);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    const i = this.index.resolve(this.timesteps, timestep);
    const count = this.timesteps.length;
    // lower_order_final: the last step is first order when it ends on σ = 0 or the run is short.
    const lowerOrderFinal = i === count - 1 && (this.config.finalSigmasType === 'zero' || count < 15);
    const s0 = alphaSigmaLambda(this.sigmas[i]!);
    const t = alphaSigmaLambda(this.sigmas[i + 1]!);
    // convert_model_output: the data prediction x₀.
    const x0 = new Float32Array(sample.length);
    for (let k = 0; k < x0.length; k++) {
      x0[k] =
        this.config.predictionType === 'epsilon'
          ? f(f(sample[k]! - f(s0.sigmaT * modelOutput[k]!)) / s0.alpha)
          : f(f(s0.alpha * sample[k]!) - f(s0.sigmaT * modelOutput[k]!));
    }
    const h = f(t.lambda - s0.lambda);
    const ratio = f(t.sigmaT / s0.sigmaT);
    const coeff = f(t.alpha * f(f(Math.exp(-h)) - 1));
    const prevSample = new Float32Array(sample.length);
    const previous = this.previousOutput;
    if (previous === undefined || this.lowerOrderCount < 1 || lowerOrderFinal) {
      for (let k = 0; k < prevSample.length; k++) prevSample[k] = f(f(ratio * sample[k]!) - f(coeff * x0[k]!));
    } else {
      const s1 = alphaSigmaLambda(this.sigmas[i - 1]!);
      const r0 = f(f(s0.lambda - s1.lambda) / h);
      const invR0 = f(1 / r0);
      for (let k = 0; k < prevSample.length; k++) {
        const d1 = f(invR0 * f(x0[k]! - previous[k]!));
        prevSample[k] = f(f(f(ratio * sample[k]!) - f(coeff * x0[k]!)) - f(f(0.5 * coeff) * d1));
      }
    }
    this.previousOutput = x0;
    if (this.lowerOrderCount < 2) this.lowerOrderCount += 1;
    this.index.advance();
    return { prevSample, predOriginal: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const { alpha, sigmaT } = alphaSigmaLambda(this.sigmas[this.index.forNoise(this.timesteps, timestep)]!);
    return original.map((v, k) => f(f(alpha * v) + f(sigmaT * noise[k]!)));
  }
}
