import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floatToHalf, halfToFloat } from '../tensors/dtype.ts';
import { roundToHalf } from './half-round.ts';
import { normaliseSeed, TorchCpuGenerator } from './torch-generator.ts';

test('seeds wrap as torch.manual_seed does: 2^32 ≡ 0, −1 ≡ 2^64−1 ≡ 2^32−1', () => {
  const draw = (seed: bigint) => new TorchCpuGenerator(seed).randn([1, 4, 8, 8]);
  assert.deepEqual(draw(1n << 32n), draw(0n));
  assert.deepEqual(draw(-1n), draw((1n << 64n) - 1n));
  assert.deepEqual(draw((1n << 64n) - 1n), draw((1n << 32n) - 1n));
  assert.notDeepEqual(draw(1n), draw(0n));
});

test('seeds beyond 2^64−1 or below −2^63 are refused', () => {
  assert.throws(() => normaliseSeed(1n << 64n), RangeError);
  assert.throws(() => normaliseSeed(-(1n << 63n) - 1n), RangeError);
  assert.equal(normaliseSeed(12), 12n);
});

test('manualSeed restarts the stream and drops the cached normal', () => {
  const g = new TorchCpuGenerator(7);
  const first = g.randn([3]);
  g.randn([5]);
  g.manualSeed(7);
  assert.deepEqual(g.randn([3]), first);
});

test('roundToHalf agrees with float32→half rounding on float32 inputs', () => {
  const g = new TorchCpuGenerator(3);
  for (const v of g.randn([4096])) {
    const x = v * 37.5;
    assert.equal(roundToHalf(x), halfToFloat(floatToHalf(x)), `value ${x}`);
  }
  assert.equal(roundToHalf(1e6), Number.POSITIVE_INFINITY);
  assert.equal(roundToHalf(1 + 2 ** -11), 1, 'a tie rounds to even');
});
