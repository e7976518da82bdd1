// norm_crop matrices: the insightface (float32 skimage) estimate agrees with the float64 least-squares closed form on
// random faces, is exact on an exact similarity, and never yields NaN on degenerate landmarks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignmentTemplate, estimateNorm, estimateSimilarity } from './align.ts';

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('float32 (insightface) and float64 estimates agree on random faces', () => {
  const random = lcg(7);
  for (let trial = 0; trial < 200; trial++) {
    const angle = (random() - 0.5) * 2 * Math.PI;
    const scale = 0.2 + random() * 4;
    const [ox, oy] = [random() * 2000, random() * 2000];
    const landmarks = alignmentTemplate(112).map(([x, y]) => {
      const [nx, ny] = [x + (random() - 0.5) * 6, y + (random() - 0.5) * 6];
      return [ox + scale * (Math.cos(angle) * nx - Math.sin(angle) * ny), oy + scale * (Math.sin(angle) * nx + Math.cos(angle) * ny)] as [number, number];
    });
    for (const size of [112, 224, 256]) {
      const ours = estimateNorm(landmarks, size);
      const exact = estimateNorm(landmarks, size, 'float64');
      // Translation magnitudes reach ~2000·(size/112)/scale: compare relative to the matrix's size.
      const magnitude = Math.max(...exact.map(Math.abs));
      ours.forEach((v, i) => assert.ok(Math.abs(v - exact[i]!) <= 1e-5 * magnitude, `trial ${trial} size ${size} entry ${i}: ${v} vs ${exact[i]}`));
    }
  }
});

test('an exact similarity is recovered; degenerate landmarks give finite matrices', () => {
  const template = alignmentTemplate(112);
  const moved = template.map(([x, y]) => [2 * x + 10, 2 * y - 4] as [number, number]);
  const m = estimateSimilarity(moved, template);
  [0.5, 0, -5, 0, 0.5, 2].forEach((v, i) => assert.ok(Math.abs(m[i]! - v) < 1e-9));
  const same = Array.from({ length: 5 }, () => [100, 100] as [number, number]);
  assert.ok(estimateNorm(same, 112).every(Number.isFinite));
  const line = [0, 1, 2, 3, 4].map((i) => [100 + 10 * i, 100] as [number, number]);
  assert.ok(estimateNorm(line, 112).every(Number.isFinite));
});
