// The bench hook runs on the stand-in models and reports positive per-stage times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { benchFace } from './bench-face.ts';

test('benchFace times detect, align and embed per reference', async () => {
  const result = await benchFace({ modelsFolder: faceModelsFolder(), images: [await facePhotoPng()], repeats: 1 });
  assert.equal(result.references, 1);
  assert.ok(result.faces > 0);
  assert.ok(result.detectMs > 0 && result.alignMs >= 0 && result.embedMs > 0);
  assert.ok(result.totalMs >= result.detectMs);
});
