// Torch-compatible noise (fixtures/rng/): every stored `torch.manual_seed(s); torch.randn(shape)` tensor of the scalar
// kernel file, single draws and sequences from one generator, float32 and float16.
import path from 'node:path';
import { readSafetensors } from '../../../src-main/engine/io/safetensors.ts';
import { readTensorFloat32 } from '../../../src-main/engine/io/descriptors.ts';
import { TorchCpuGenerator, type NoiseDType } from '../../../src-main/engine/noise/torch-generator.ts';
import type { GoldenContext, GoldenSuite } from '../golden-suite.ts';
import type { ToleranceName } from '../tolerances.ts';

const SINGLE = /^randn_(f16_)?seed(\d+)_/u;
const SEQUENCE = /^((?:mix)?seq)_seed(\d+)_(\d+)_/u;

function toleranceFor(dtype: NoiseDType, numel: number): ToleranceName {
  if (dtype === 'float16') return 'randnFloat16';
  return numel < 16 ? 'randnShortPath' : 'randnFloat32';
}

export const suite: GoldenSuite = {
  name: 'rng',
  async run(ctx: GoldenContext) {
    const index = await readSafetensors(path.join(ctx.fixtures, 'rng', 'randn_cpu_scalar.safetensors'));
    const sequences = new Map<string, { seed: bigint; step: number; name: string }[]>();
    for (const [name, descriptor] of index.tensors) {
      const dtype: NoiseDType = descriptor.dtype === 'F16' ? 'float16' : 'float32';
      const single = SINGLE.exec(name);
      const sequence = SEQUENCE.exec(name);
      if (single) {
        const actual = new TorchCpuGenerator(BigInt(single[2]!)).randn(descriptor.shape, dtype);
        ctx.check(name, actual, await readTensorFloat32(descriptor), toleranceFor(dtype, actual.length));
      } else if (sequence) {
        const key = `${sequence[1]}_seed${sequence[2]}`;
        const steps = sequences.get(key) ?? [];
        steps.push({ seed: BigInt(sequence[2]!), step: Number(sequence[3]), name });
        sequences.set(key, steps);
      } else {
        ctx.record({ name, error: Number.POSITIVE_INFINITY, tolerance: 0, metric: '-', passed: false, detail: 'unrecognised rng golden key' });
      }
    }
    for (const steps of sequences.values()) {
      steps.sort((a, b) => a.step - b.step);
      const generator = new TorchCpuGenerator(steps[0]!.seed);
      for (const { name } of steps) {
        const descriptor = index.tensors.get(name)!;
        const dtype: NoiseDType = descriptor.dtype === 'F16' ? 'float16' : 'float32';
        const actual = generator.randn(descriptor.shape, dtype);
        ctx.check(name, actual, await readTensorFloat32(descriptor), toleranceFor(dtype, actual.length));
      }
    }
  },
};
