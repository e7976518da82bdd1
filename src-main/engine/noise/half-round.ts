// Rounds a double straight to the nearest IEEE half value (ties to even), as C++ does when a double is assigned to
// c10::Half. Going through float32 first could round twice.

const HALF_MAX = 65504;

export function roundToHalf(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const q = a / ulp;
  const floor = Math.floor(q);
  const rest = q - floor;
  const units = rest > 0.5 ? floor + 1 : rest < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  const rounded = units * ulp;
  return sign * (rounded > HALF_MAX ? Number.POSITIVE_INFINITY : rounded);
}
