// A CPU generator that gives the same numbers as `torch.manual_seed(seed); torch.randn(shape)` (PyTorch CPU,
// DistributionTemplates.h normal_fill / normal_distribution<double>), so a seed gives the latents diffusers and
// ComfyUI make on CPU. Float32 tensors of ≥16 elements use the vectorised Box–Muller in blocks of 16 (float maths;
// our log/cos/sin are double rounded to float, ≤1 ulp from glibc's); smaller tensors and the rest use the double
// Box–Muller with its cached second value. Float16 ≥16 uses 11-bit uniforms and half-rounded intermediates.
import { Mt19937 } from './mt19937.ts';
import { roundToHalf } from './half-round.ts';

export type NoiseDType = 'float32' | 'float16';

/** Anything that yields standard normal noise of a shape (a seeded generator, or recorded noise in tests). */
export interface NoiseSource {
  randn(shape: readonly number[]): Float32Array;
}

const SEED_LIMIT = 1n << 64n;
const TWO_PI = 2 * Math.PI;
const f32 = Math.fround;

/** Seeds as torch accepts them: −2^63 … 2^64−1; negative seeds wrap modulo 2^64 (torch.manual_seed(−1) ≡ 2^64−1). */
export function normaliseSeed(seed: bigint | number): bigint {
  const value = typeof seed === 'bigint' ? seed : BigInt(seed);
  if (value >= SEED_LIMIT || value < -(1n << 63n)) throw new RangeError(`seed ${value} is outside −2^63 … 2^64−1`);
  return ((value % SEED_LIMIT) + SEED_LIMIT) % SEED_LIMIT;
}

export class TorchCpuGenerator implements NoiseSource {
  private readonly engine = new Mt19937(0);
  private cachedNormal: number | undefined;

  constructor(seed: bigint | number) {
    this.manualSeed(seed);
  }

  /** torch.manual_seed: the engine takes the low 32 bits; the cached normal is dropped. */
  manualSeed(seed: bigint | number): void {
    this.engine.seed(Number(normaliseSeed(seed) & 0xffffffffn));
    this.cachedNormal = undefined;
  }

  randn(shape: readonly number[], dtype: NoiseDType = 'float32'): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    if (size >= 16) {
      if (dtype === 'float32') this.fillFloat32(out);
      else this.fillFloat16(out);
    } else {
      const round = dtype === 'float32' ? f32 : (v: number) => roundToHalf(f32(v));
      for (let i = 0; i < size; i++) out[i] = round(this.normalDouble());
    }
    return out;
  }

  /** uniform_real_distribution<double>: 53 bits from two draws, the first one high. */
  private uniform53(): number {
    const hi = this.engine.next();
    const lo = this.engine.next();
    // ((hi << 32) | lo) & (2^53 − 1), scaled by 2^-53.
    return ((hi & 0x1fffff) * 2 ** 32 + lo) * 2 ** -53;
  }

  /** at::normal_distribution<double>(0, 1) with torch's cached second sample. */
  private normalDouble(): number {
    if (this.cachedNormal !== undefined) {
      const cached = this.cachedNormal;
      this.cachedNormal = undefined;
      return cached;
    }
    const u1 = this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = TWO_PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  private fillFloat32(data: Float32Array): void {
    for (let i = 0; i < data.length; i++) data[i] = (this.engine.next() & 0xffffff) * 2 ** -24;
    const blockFloat32 = (start: number): void => {
      for (let j = 0; j < 8; j++) {
        const u1 = 1 - data[start + j]!;
        const u2 = data[start + j + 8]!;
        const r = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
        const theta = f32(TWO_PI * u2);
        data[start + j] = r * f32(Math.cos(theta));
        data[start + j + 8] = r * f32(Math.sin(theta));
      }
    };
    this.fillBlocks(data, blockFloat32, () => (this.engine.next() & 0xffffff) * 2 ** -24);
  }

  private fillFloat16(data: Float32Array): void {
    for (let i = 0; i < data.length; i++) data[i] = (this.engine.next() & 0x7ff) * 2 ** -11;
    const blockFloat16 = (start: number): void => {
      for (let j = 0; j < 8; j++) {
        const u1 = roundToHalf(1 - data[start + j]!);
        const u2 = data[start + j + 8]!;
        const r = roundToHalf(f32(Math.sqrt(f32(-2 * f32(Math.log(u1))))));
        const theta = roundToHalf(TWO_PI * u2);
        data[start + j] = roundToHalf(f32(r * f32(Math.cos(theta))));
        data[start + j + 8] = roundToHalf(f32(r * f32(Math.sin(theta))));
      }
    };
    this.fillBlocks(data, blockFloat16, () => (this.engine.next() & 0x7ff) * 2 ** -11);
  }

  /** Transforms whole blocks of 16; a ragged end gets 16 fresh uniforms written over the last 16 elements. */
  private fillBlocks(data: Float32Array, block: (start: number) => void, uniform: () => number): void {
    for (let start = 0; start + 16 <= data.length; start += 16) block(start);
    if (data.length % 16 !== 0) {
      const start = data.length - 16;
      for (let i = 0; i < 16; i++) data[start + i] = uniform();
      block(start);
    }
  }
}
