// TAESD previews are decoded from the x₀ estimate pooled to at most PREVIEW_LATENT_SIDE latent pixels a side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PREVIEW_LATENT_SIDE, previewLatent } from './preview.ts';

test('small latents pass as they are; larger ones are averaged over k×k cells, partial edge cells over what they hold', () => {
  const small = Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => i);
  assert.deepEqual(previewLatent(small, 8, 8), { data: small, height: 8, width: 8 });

  const [height, width] = [2 * PREVIEW_LATENT_SIDE + 1, PREVIEW_LATENT_SIDE];
  const latent = Float32Array.from({ length: 4 * height * width }, (_, i) => i % 7);
  const pooled = previewLatent(latent, height, width);
  const k = 3; // ceil((2 · side + 1) / side)
  assert.deepEqual([pooled.height, pooled.width], [Math.ceil(height / k), Math.ceil(width / k)]);
  const at = (c: number, y: number, x: number) => latent[(c * height + y) * width + x]!;
  const cell = (c: number, y0: number, x0: number) => {
    const values: number[] = [];
    for (let y = y0; y < Math.min(y0 + k, height); y++) for (let x = x0; x < Math.min(x0 + k, width); x++) values.push(at(c, y, x));
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  assert.ok(Math.abs(pooled.data[(2 * pooled.height + 1) * pooled.width + 4]! - cell(2, 3, 12)) < 1e-6, 'an inner cell');
  assert.ok(Math.abs(pooled.data[(3 * pooled.height + pooled.height - 1) * pooled.width + pooled.width - 1]! - cell(3, (pooled.height - 1) * k, (pooled.width - 1) * k)) < 1e-6, 'the partial corner cell');
});
