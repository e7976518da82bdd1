import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bfloat16ToFloat, floatToHalf, halfToFloat } from './dtype.ts';

test('half ↔ float round-trips every finite half exactly', () => {
  for (let h = 0; h < 0x10000; h++) {
    const exponent = (h >> 10) & 0x1f;
    if (exponent === 31) continue;
    const back = floatToHalf(halfToFloat(h));
    // ±0 share a value but keep their sign bit.
    assert.equal(back, h, `half 0x${h.toString(16)}`);
  }
});

test('float → half rounds to nearest even, overflows to infinity', () => {
  assert.equal(halfToFloat(floatToHalf(1 + 2 ** -11)), 1); // tie, rounds to even (1.0)
  assert.equal(halfToFloat(floatToHalf(1 + 3 * 2 ** -11)), 1 + 2 ** -9); // tie, rounds up to even
  assert.equal(halfToFloat(floatToHalf(70000)), Number.POSITIVE_INFINITY);
  assert.equal(halfToFloat(floatToHalf(2 ** -25)), 0); // below half the smallest subnormal
});

test('bfloat16 is the top half of a float32', () => {
  assert.equal(bfloat16ToFloat(0x3f80), 1);
  assert.equal(bfloat16ToFloat(0xc040), -3);
});
