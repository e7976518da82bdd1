// From a photo to FaceID conditioning tokens with the tiny stand-ins: detect → align → ArcFace → projection, and for
// PlusV2 also the 224 crop → CLIP pixel values → compiled image encoder → perceiver.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { analyzeImage } from '../face/analyze.ts';
import { clipPixelValues } from '../face/clip-preprocess.ts';
import { loadFaceModels, releaseFaceModels, type FaceModels } from '../face/models.ts';
import { openSession } from '../onnx/session.ts';
import { compileModel } from './compile.ts';
import { encodeClipPixels, loadFaceProjection, projectFaceTokens, releaseFaceProjection } from './face-tokens.ts';

let cacheDir = '';
let models: FaceModels;
before(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'faceid-conditioning-'));
  models = await loadFaceModels(faceModelsFolder());
});
after(async () => {
  await releaseFaceModels(models);
  await rm(cacheDir, { recursive: true, force: true });
});

const finite = (values: Float32Array): boolean => values.every((v) => Number.isFinite(v));

test('FaceID: photo → used face embedding → 4 tokens and the zero-ID negative', async () => {
  const analysis = await analyzeImage(await facePhotoPng(), models);
  const face = analysis.faces[analysis.verdict.usedFace!]!;
  const projection = await loadFaceProjection(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), { cacheDir });
  try {
    const { cond, uncond } = await projectFaceTokens(projection, { embeddings: [face.embedding] });
    assert.deepEqual(cond.shape, [1, 4, projection.config.dim]);
    assert.ok(finite(cond.data) && finite(uncond.data));
    assert.notDeepEqual([...cond.data], [...uncond.data]);
  } finally {
    await releaseFaceProjection(projection);
  }
});

test('FaceID-PlusV2: photo → 224 crop → CLIP image encoder → perceiver tokens', async () => {
  const analysis = await analyzeImage(await facePhotoPng(), models, { clipCropSize: 224 });
  const face = analysis.faces[analysis.verdict.usedFace!]!;
  const compiled = await compileModel(fixture('sd15-tiny'), { cacheDir, imageEncoder: fixture('ipadapter-tiny', 'image_encoder') });
  const encoder = await openSession(compiled.imageEncoder!.path);
  const projection = await loadFaceProjection(fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors'), { cacheDir });
  try {
    const { hidden, uncondHidden } = await encodeClipPixels(encoder, [clipPixelValues(face.crop224!)]);
    assert.equal(hidden[0]!.length % projection.config.clipDim!, 0);
    const { cond, uncond } = await projectFaceTokens(projection, { embeddings: [face.embedding], clipHidden: hidden, uncondClipHidden: uncondHidden, structure: 1 });
    assert.deepEqual(cond.shape, [1, 4, projection.config.dim]);
    assert.ok(finite(cond.data) && finite(uncond.data));
  } finally {
    await releaseFaceProjection(projection);
    await encoder.release();
  }
});
