// What the ᾱ-parameterised schedulers (DDIM, PNDM, LCM) share: the ᾱ table, the final ᾱ, add_noise
// (x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε) and x₀/ε from a model output.
import { alphasCumprod, type SchedulerConfig } from './scheduler.ts';

const f = Math.fround;

/** Base of DDIM, PNDM and LCM: no sigmas, unit initial noise, one model call per step. */
export abstract class AlphaScheduler {
  readonly initNoiseSigma = 1;
  readonly order = 1;
  readonly sigmas = undefined;
  timesteps: number[] = [];
  protected readonly config: SchedulerConfig;
  protected readonly alphas: Float32Array;
  /** ᾱ before the first training step: 1 with set_alpha_to_one, else ᾱ₀ (diffusers final_alpha_cumprod). */
  protected readonly finalAlpha: number;

  constructor(config: SchedulerConfig) {
    this.config = config;
    this.alphas = alphasCumprod(config);
    this.finalAlpha = config.setAlphaToOne ? 1 : this.alphas[0]!;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseWithAlpha(this.alphas, original, noise, timestep);
  }
}

export function addNoiseWithAlpha(alphas: Float32Array, original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
  const alpha = alphas[timestep];
  if (alpha === undefined) throw new RangeError(`timestep ${timestep} is outside the training schedule`);
  const a = f(Math.sqrt(alpha));
  const b = f(Math.sqrt(f(1 - alpha)));
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a * original[i]!) + f(b * noise[i]!);
  return out;
}

/** x₀ and ε from a model output, for ε- or v-prediction (float32 per operation, as torch computes it). */
export function predictOriginal(
  prediction: 'epsilon' | 'v_prediction',
  alphaProd: number,
  modelOutput: Float32Array,
  sample: Float32Array,
): { original: Float32Array; epsilon: Float32Array } {
  const sqrtA = f(Math.sqrt(alphaProd));
  const sqrtB = f(Math.sqrt(f(1 - alphaProd)));
  const original = new Float32Array(sample.length);
  const epsilon = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    const x = sample[i]!;
    const m = modelOutput[i]!;
    if (prediction === 'epsilon') {
      original[i] = f(f(x - f(sqrtB * m)) / sqrtA);
      epsilon[i] = m;
    } else {
      original[i] = f(f(sqrtA * x) - f(sqrtB * m));
      epsilon[i] = f(f(sqrtA * m) + f(sqrtB * x));
    }
  }
  return { original, epsilon };
}
