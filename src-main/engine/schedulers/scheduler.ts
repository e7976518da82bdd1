// One interface for every sampler, following diffusers' schedulers (v0.27.2 maths, float32 where torch uses float32,
// so results match diffusers to float rounding). The pipeline calls, per step: scaleModelInput → UNet → step.
import type { NoiseSource } from '../noise/torch-generator.ts';
import { StudioError } from '../../base/errors.ts';

export type TimestepSpacing = 'leading' | 'linspace' | 'trailing';
export type PredictionType = 'epsilon' | 'v_prediction';

/** The diffusers scheduler_config.json fields the samplers read (snake_case keys are accepted by parseSchedulerConfig). */
export interface SchedulerConfig {
  readonly numTrainTimesteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: 'scaled_linear' | 'linear';
  readonly predictionType: PredictionType;
  readonly stepsOffset: number;
  readonly timestepSpacing: TimestepSpacing;
  readonly setAlphaToOne: boolean;
  /** DPM++: 'zero' ends on σ = 0, 'sigma_min' on the smallest trained σ. */
  readonly finalSigmasType: 'zero' | 'sigma_min';
  readonly useKarrasSigmas: boolean;
  /** LCM: the distillation schedule length and the boundary-condition timestep scaling. */
  readonly originalInferenceSteps: number;
  readonly timestepScaling: number;
}

export interface StepResult {
  readonly prevSample: Float32Array;
  /** The scheduler's estimate of the clean latent (x₀; LCM's `denoised`), for previews. */
  readonly predOriginal?: Float32Array;
}

export interface Scheduler {
  /** Prepares `steps` inference steps; resets all per-run state. */
  setTimesteps(steps: number): void;
  /** The timesteps the UNet sees, in order (fractional for Euler-type samplers). */
  readonly timesteps: readonly number[];
  /** σ per step plus the final σ, for σ-based samplers (Euler, DPM++). */
  readonly sigmas: readonly number[] | undefined;
  /** Multiplies the unit-variance initial noise. */
  readonly initNoiseSigma: number;
  /** Steps one UNet call advances (diffusers' `order`; 1 for all samplers here). */
  readonly order: number;
  /** Where an img2img run starts in `timesteps` (diffusers' set_begin_index). */
  setBeginIndex(index: number): void;
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise: NoiseSource, shape: readonly number[]): StepResult;
  /** Noises a clean latent to the level of `timestep` (img2img start, inpaint blending). */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}

const f = Math.fround;

const DEFAULTS: SchedulerConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  predictionType: 'epsilon',
  stepsOffset: 0,
  timestepSpacing: 'leading',
  setAlphaToOne: true,
  finalSigmasType: 'zero',
  useKarrasSigmas: false,
  originalInferenceSteps: 50,
  timestepScaling: 10,
};

/** Reads a diffusers scheduler config object (snake_case, as in scheduler_config.json) over diffusers' defaults. */
export function parseSchedulerConfig(raw: Readonly<Record<string, unknown>>, base: SchedulerConfig = DEFAULTS): SchedulerConfig {
  const pick = <T>(key: string, fallback: T, accept: (v: unknown) => boolean): T => (accept(raw[key]) ? (raw[key] as T) : fallback);
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const isBoolean = (v: unknown) => typeof v === 'boolean';
  const oneOf = (values: readonly string[]) => (v: unknown) => typeof v === 'string' && values.includes(v);
  const betaSchedule = raw.beta_schedule;
  if (typeof betaSchedule === 'string' && !['scaled_linear', 'linear'].includes(betaSchedule)) {
    throw new StudioError('generate.unsupported-scheduler', {
      userMessage: `The model's scheduler uses beta_schedule "${betaSchedule}", which this engine does not implement.`,
      hint: 'Stable Diffusion 1.5 models use "scaled_linear"; check the model\'s scheduler/scheduler_config.json.',
    });
  }
  const prediction = raw.prediction_type;
  if (typeof prediction === 'string' && !['epsilon', 'v_prediction'].includes(prediction)) {
    throw new StudioError('generate.unsupported-scheduler', {
      userMessage: `The model predicts "${prediction}", which this engine does not support (only epsilon and v_prediction).`,
    });
  }
  return {
    numTrainTimesteps: pick('num_train_timesteps', base.numTrainTimesteps, (v) => Number.isInteger(v) && (v as number) > 1),
    betaStart: pick('beta_start', base.betaStart, isNumber),
    betaEnd: pick('beta_end', base.betaEnd, isNumber),
    betaSchedule: pick('beta_schedule', base.betaSchedule, oneOf(['scaled_linear', 'linear'])),
    predictionType: pick('prediction_type', base.predictionType, oneOf(['epsilon', 'v_prediction'])),
    stepsOffset: pick('steps_offset', base.stepsOffset, Number.isInteger),
    timestepSpacing: pick('timestep_spacing', base.timestepSpacing, oneOf(['leading', 'linspace', 'trailing'])),
    setAlphaToOne: pick('set_alpha_to_one', base.setAlphaToOne, isBoolean),
    finalSigmasType: pick('final_sigmas_type', base.finalSigmasType, oneOf(['zero', 'sigma_min'])),
    useKarrasSigmas: pick('use_karras_sigmas', base.useKarrasSigmas, isBoolean),
    originalInferenceSteps: pick('original_inference_steps', base.originalInferenceSteps, Number.isInteger),
    timestepScaling: pick('timestep_scaling', base.timestepScaling, isNumber),
  };
}

/** torch.linspace(start, end, n, dtype=float32): float steps, the second half counted back from the end. */
function linspaceFloat32(start: number, end: number, n: number): number[] {
  const s = f(start);
  const e = f(end);
  const step = f((e - s) / (n - 1));
  const halfway = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i < halfway ? f(s + f(step * i)) : f(e - f(step * (n - i - 1)))));
}

/** ᾱ_t for every training timestep, as float32 (torch's cumprod accumulates in double, stores float). */
export function alphasCumprod(config: SchedulerConfig): Float32Array {
  const n = config.numTrainTimesteps;
  const betas =
    config.betaSchedule === 'scaled_linear'
      ? linspaceFloat32(Math.sqrt(config.betaStart), Math.sqrt(config.betaEnd), n).map((b) => f(b * b))
      : linspaceFloat32(config.betaStart, config.betaEnd, n);
  const out = new Float32Array(n);
  let product = 1;
  for (let i = 0; i < n; i++) {
    product *= f(1 - betas[i]!);
    out[i] = product;
  }
  return out;
}

/** σ_t = √((1 − ᾱ_t)/ᾱ_t) per training timestep, float32. */
export function trainingSigmas(alphas: Float32Array): Float32Array {
  return alphas.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
}

/** numpy.linspace(start, stop, n) in float64. */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step));
}

/** numpy.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy.interp over xp = 0, 1, …, len−1. */
export function interpIndex(x: number, fp: ArrayLike<number>): number {
  if (x <= 0) return fp[0]!;
  const last = fp.length - 1;
  if (x >= last) return fp[last]!;
  const j = Math.floor(x);
  const slope = (fp[j + 1]! - fp[j]!) / 1;
  return slope * (x - j) + fp[j]!;
}

/** Karras et al. (2022) σ schedule between the first and last σ, ρ = 7 (diffusers _convert_to_karras). */
export function karrasSigmas(sigmaMax: number, sigmaMin: number, steps: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return linspace(0, 1, steps).map((ramp) => (maxInv + ramp * (minInv - maxInv)) ** rho);
}

/** The fractional training timestep of a σ, interpolating log σ (diffusers _sigma_to_t). */
export function sigmaToTimestep(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i]! >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lo = logSigmas[low]!;
  const hi = logSigmas[low + 1]!;
  const w = Math.min(1, Math.max(0, (lo - logSigma) / (lo - hi)));
  return (1 - w) * low + w * (low + 1);
}

/** Integer timesteps for DDIM / PNDM / LCM-style schedulers (descending), per the configured spacing. */
export function discreteTimesteps(config: SchedulerConfig, steps: number): number[] {
  const n = config.numTrainTimesteps;
  switch (config.timestepSpacing) {
    case 'linspace':
      return linspace(0, n - 1, steps).map(roundHalfEven).reverse();
    case 'leading': {
      const ratio = Math.floor(n / steps);
      return Array.from({ length: steps }, (_, i) => roundHalfEven(i * ratio) + config.stepsOffset).reverse();
    }
    case 'trailing': {
      const ratio = n / steps;
      const out: number[] = [];
      for (let t = n; t > 0; t -= ratio) out.push(roundHalfEven(t) - 1);
      return out;
    }
  }
}

/** Refuses a step count the scheduler cannot make (the schema's limits apply before this). */
export function checkSteps(steps: number, max = Number.POSITIVE_INFINITY): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > max) {
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `This sampler cannot run ${steps} steps${Number.isFinite(max) ? ` (at most ${max})` : ''}.`,
      hint: 'Choose a whole number of steps in the allowed range.',
    });
  }
}

/** Index of `timestep` in `timesteps` the way diffusers picks it (the second match if it occurs twice). */
export function indexForTimestep(timesteps: readonly number[], timestep: number): number {
  const matches: number[] = [];
  timesteps.forEach((t, i) => {
    if (t === timestep) matches.push(i);
  });
  if (matches.length === 0) throw new RangeError(`timestep ${timestep} is not in this schedule`);
  return matches.length > 1 ? matches[1]! : matches[0]!;
}
