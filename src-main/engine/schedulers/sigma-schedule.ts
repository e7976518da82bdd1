// What the σ-parameterised samplers (Euler, Euler a, DPM++) share: the σ/timestep schedule built as diffusers builds
// it, step-index tracking, input scaling and add_noise.
import {
  alphasCumprod,
  checkSteps,
  indexForTimestep,
  interpIndex,
  karrasSigmas,
  linspace,
  roundHalfEven,
  sigmaToTimestep,
  trainingSigmas,
  type SchedulerConfig,
} from './scheduler.ts';

const f = Math.fround;

export interface SigmaSchedule {
  readonly timesteps: number[];
  /** One σ per step plus the final σ (float32 values). */
  readonly sigmas: number[];
}

/** Euler-family schedule (EulerDiscreteScheduler.set_timesteps): float32 timesteps, σ interpolated at them. */
export function eulerSchedule(config: SchedulerConfig, steps: number): SigmaSchedule {
  checkSteps(steps, config.numTrainTimesteps);
  const n = config.numTrainTimesteps;
  let timesteps: number[];
  switch (config.timestepSpacing) {
    case 'linspace':
      timesteps = linspace(0, n - 1, steps).map(f).reverse();
      break;
    case 'leading': {
      const ratio = Math.floor(n / steps);
      timesteps = Array.from({ length: steps }, (_, i) => roundHalfEven(i * ratio) + config.stepsOffset).reverse();
      break;
    }
    case 'trailing':
      timesteps = trailingTimesteps(n, steps);
      break;
  }
  const trained = trainingSigmas(alphasCumprod(config));
  let sigmas = timesteps.map((t) => interpIndex(t, trained));
  if (config.useKarrasSigmas) {
    const logSigmas = trained.map((s) => f(Math.log(s)));
    sigmas = karrasSigmas(sigmas[0]!, sigmas[sigmas.length - 1]!, steps);
    timesteps = sigmas.map((s) => f(sigmaToTimestep(s, logSigmas)));
  }
  return { timesteps, sigmas: [...sigmas.map(f), 0] };
}

/** "trailing" spacing, the same in the Euler and DPM-Solver schedulers: from n down in steps of n / steps. */
function trailingTimesteps(n: number, steps: number): number[] {
  const timesteps: number[] = [];
  for (let t = n; t > 0; t -= n / steps) timesteps.push(roundHalfEven(t) - 1);
  return timesteps;
}

/** DPM-Solver schedule (DPMSolverMultistepScheduler.set_timesteps): integer timesteps over n + 1 points. */
export function dpmSchedule(config: SchedulerConfig, steps: number): SigmaSchedule {
  checkSteps(steps, config.numTrainTimesteps);
  const n = config.numTrainTimesteps;
  let timesteps: number[];
  switch (config.timestepSpacing) {
    case 'linspace':
      timesteps = linspace(0, n - 1, steps + 1).map(roundHalfEven).reverse().slice(0, -1);
      break;
    case 'leading': {
      const ratio = Math.floor(n / (steps + 1));
      timesteps = Array.from({ length: steps + 1 }, (_, i) => roundHalfEven(i * ratio)).reverse().slice(0, -1).map((t) => t + config.stepsOffset);
      break;
    }
    case 'trailing':
      timesteps = trailingTimesteps(n, steps);
      break;
  }
  const alphas = alphasCumprod(config);
  const trained = trainingSigmas(alphas);
  let sigmas: number[];
  if (config.useKarrasSigmas) {
    const logSigmas = trained.map((s) => f(Math.log(s)));
    sigmas = karrasSigmas(trained[n - 1]!, trained[0]!, steps);
    timesteps = sigmas.map((s) => roundHalfEven(sigmaToTimestep(s, logSigmas)));
  } else {
    sigmas = timesteps.map((t) => interpIndex(t, trained));
  }
  const last = config.finalSigmasType === 'zero' ? 0 : Math.sqrt((1 - alphas[0]!) / alphas[0]!);
  return { timesteps, sigmas: [...sigmas, last].map(f) };
}

/** Tracks which step a σ-sampler is on, as diffusers' _step_index / _begin_index do. */
export class StepIndex {
  private current: number | undefined;
  private begin: number | undefined;

  reset(): void {
    this.current = undefined;
    this.begin = undefined;
  }

  setBegin(index: number): void {
    this.begin = index;
  }

  /** The index for this call: the running index, else the begin index, else where `timestep` sits. */
  resolve(timesteps: readonly number[], timestep: number): number {
    if (this.current === undefined) this.current = this.begin ?? indexForTimestep(timesteps, timestep);
    return this.current;
  }

  advance(): void {
    if (this.current !== undefined) this.current += 1;
  }

  /** Index add_noise uses: the begin index if set (img2img), else where `timestep` sits. */
  forNoise(timesteps: readonly number[], timestep: number): number {
    return this.current ?? this.begin ?? indexForTimestep(timesteps, timestep);
  }
}

/** sample / √(σ² + 1), in float32. */
export function scaleBySigma(sample: Float32Array, sigma: number): Float32Array {
  const d = f(Math.sqrt(f(f(sigma * sigma) + 1)));
  return sample.map((v) => f(v / d));
}
