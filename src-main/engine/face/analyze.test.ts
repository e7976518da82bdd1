// Whole face analysis on real files through the tiny ONNX stand-ins: faces, embeddings, retry, face choice,
// reference verdicts for bad photos, and the identity score.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { facePhotoPixels, facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { analyzeDecodedImage, analyzeImage, detectFaces } from './analyze.ts';
import { rgbImage } from './image.ts';
import { characterEmbedding, identityScore } from './identity.ts';
import { loadFaceModels, releaseFaceModels, type FaceModels } from './models.ts';

let models: FaceModels;
before(async () => {
  models = await loadFaceModels(faceModelsFolder());
});
after(async () => {
  await releaseFaceModels(models);
});

test('the face photo gives faces in detection-score order with unit-length 512-d embeddings', async () => {
  const analysis = await analyzeImage(await facePhotoPng(), models);
  assert.ok(analysis.faces.length > 0);
  for (let i = 1; i < analysis.faces.length; i++) assert.ok(analysis.faces[i - 1]!.score >= analysis.faces[i]!.score);
  for (const face of analysis.faces) {
    assert.equal(face.embedding.length, 512);
    assert.ok(Math.abs(Math.hypot(...face.embedding) - 1) < 1e-5);
    assert.equal(face.landmarks.length, 5);
    assert.ok(face.qa.widthPx > 0 && face.qa.sharpness >= 0);
  }
  assert.equal(analysis.detectionSize, 640);
});

test('an EXIF-rotated copy of the face photo finds the same faces as the upright one', async () => {
  const upright = await analyzeImage(await facePhotoPng(), models);
  const rotated = await sharp(await facePhotoPng()).rotate(90).png().withMetadata({ orientation: 8 }).toBuffer();
  const analysis = await analyzeImage(rotated, models);
  assert.match(analysis.notes.join(' '), /EXIF orientation/);
  assert.deepEqual(analysis.faces.map((f) => f.box.map(Math.round)), upright.faces.map((f) => f.box.map(Math.round)));
});

test('no face: a plain photo is unusable with advice, after retrying smaller detection sizes', async () => {
  const grey = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#8a8a8a' } }).png().toBuffer();
  const analysis = await analyzeImage(grey, models);
  assert.equal(analysis.faces.length, 0);
  assert.equal(analysis.detectionSize, 320);
  assert.equal(analysis.verdict.level, 'unusable');
  assert.equal(analysis.verdict.usedFace, null);
  assert.match(analysis.verdict.message, /No face found/);
});

test('when the first detection size finds nothing, the next is tried and the result says so', async (t) => {
  const { data, width, height } = await facePhotoPixels();
  const image = rgbImage(width, height, new Uint8Array(data));
  // A size at which the stand-in detector finds nothing on this photo (it depends on the stand-in's weights).
  let empty: number | undefined;
  for (let size = 96; size <= 512 && empty === undefined; size += 32) {
    if ((await detectFaces(image, models, { detectionSizes: [size] })).detections.length === 0) empty = size;
  }
  if (empty === undefined) return t.skip('the stand-in detector finds a face at every small size on this photo');
  const analysis = await analyzeDecodedImage(image, models, { detectionSizes: [empty, 640] });
  assert.equal(analysis.detectionSize, 640);
  assert.ok(analysis.faces.length > 0);
  assert.match(analysis.notes.join(' '), new RegExp(`No face at detection size ${empty}×${empty}; found at 640×640`));
});

test('a 16×16 image is unusable and says how small it is', async () => {
  const tiny = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c08060' } }).png().toBuffer();
  const analysis = await analyzeImage(tiny, models);
  assert.equal(analysis.verdict.level, 'unusable');
  assert.match(analysis.verdict.message, /only 16×16 px/);
});

test('several faces: the largest is used by default, the user can choose another, a wrong choice is a typed error', async () => {
  // Tile the face photo so it holds many faces.
  const { width, height } = await facePhotoPixels();
  const png = await facePhotoPng();
  const tiled = await sharp({ create: { width: width * 2, height: height * 2, channels: 3, background: '#000000' } })
    .composite([0, 1, 2, 3].map((i) => ({ input: png, left: (i % 2) * width, top: Math.floor(i / 2) * height })))
    .png()
    .toBuffer();
  // Detected at twice the usual size so each copy is seen at the scale of the original photo at 640.
  const detectionSizes = [1280];
  const analysis = await analyzeImage(tiled, models, { detectionSizes });
  const count = analysis.faces.length;
  assert.ok(count >= 2, `expected several faces, found ${count}`);
  assert.match(analysis.verdict.advice[0]!, new RegExp(`^${count} faces: using the largest — pick another`));
  const chosen = await analyzeImage(tiled, models, { detectionSizes, chosenFace: count - 1 });
  assert.equal(chosen.verdict.usedFace, count - 1);
  await assert.rejects(analyzeImage(tiled, models, { detectionSizes, chosenFace: count }), (e: unknown) => e instanceof StudioError && e.code === 'face.index-out-of-range');
});

test('identity: the face photo scores ≈1 against a character made from itself; no face is not a score of 0', async () => {
  const analysis = await analyzeImage(await facePhotoPng(), models);
  const face = analysis.faces[0]!;
  const character = characterEmbedding([face.embedding]);
  const scored = identityScore(character, analysis.faces);
  assert.equal(scored.kind, 'face');
  assert.ok(scored.kind === 'face' && scored.faceIndex === 0 && Math.abs(scored.score - 1) < 1e-5);
  assert.deepEqual(identityScore(character, []), { kind: 'no-face' });
});

test('a missing face models folder is a typed error naming the files', async () => {
  await assert.rejects(loadFaceModels('/nonexistent/face-models'), (e: unknown) => {
    assert.ok(e instanceof StudioError);
    assert.equal(e.code, 'face.model-missing');
    assert.match(e.userMessage, /det_10g\.onnx and w600k_r50\.onnx/);
    assert.match(e.hint ?? '', /faceid models download insightface-det-10g insightface-w600k-r50/);
    return true;
  });
});
