// From reference photos to FaceID tokens with the tiny stand-ins: detect → align → ArcFace → projection, and for
// PlusV2 also the 224 crop → CLIP pixel values → compiled image encoder → perceiver.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { loadFaceModels, releaseFaceModels, type FaceModels } from '../face/models.ts';
import { compileModel } from '../models/compile.ts';
import { openSession } from '../onnx/session.ts';
import { prepareFaceConditioning } from './face-conditioning.ts';

let folder = '';
let photo = '';
let blank = '';
let faceModels: FaceModels;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-conditioning-'));
  photo = path.join(folder, 'person.png');
  blank = path.join(folder, 'wall.png');
  await writeFile(photo, await facePhotoPng());
  await writeFile(blank, await sharp({ create: { width: 200, height: 160, channels: 3, background: '#6b6b6b' } }).png().toBuffer());
  faceModels = await loadFaceModels(faceModelsFolder());
});
after(async () => {
  await releaseFaceModels(faceModels);
  await rm(folder, { recursive: true, force: true });
});

const finite = (values: Float32Array): boolean => values.every((v) => Number.isFinite(v));

test('FaceID: photos → 4 tokens (references averaged) and the zero-ID negative; a faceless reference is skipped', async () => {
  const result = await prepareFaceConditioning(
    { adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), references: [{ file: photo }, { file: blank }, { file: photo, chosenFace: 0 }] },
    { faceModels, cacheDir: folder },
  );
  assert.equal(result.variant, 'faceid');
  assert.equal(result.count, 4);
  assert.equal(result.cond.length % result.count, 0);
  assert.ok(finite(result.cond) && finite(result.uncond));
  assert.equal(result.references[1]!.analysis.verdict.usedFace, null);
});

test('FaceID-PlusV2: photo → 224 crop → CLIP image encoder → perceiver tokens; without the encoder it is a typed error', async () => {
  const adapter = fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors');
  await assert.rejects(prepareFaceConditioning({ adapter, references: [{ file: photo }] }, { faceModels, cacheDir: folder }), (e: unknown) => e instanceof StudioError && e.code === 'generate.model-missing');
  const compiled = await compileModel(fixture('sd15-tiny'), { cacheDir: folder, imageEncoder: fixture('ipadapter-tiny', 'image_encoder') });
  const imageEncoder = await openSession(compiled.imageEncoder!.path);
  try {
    const one = await prepareFaceConditioning({ adapter, references: [{ file: photo }], structure: 1 }, { faceModels, cacheDir: folder, imageEncoder });
    const two = await prepareFaceConditioning({ adapter, references: [{ file: photo }], structure: 2 }, { faceModels, cacheDir: folder, imageEncoder });
    assert.equal(one.variant, 'faceid-plusv2');
    assert.equal(one.count, 4);
    assert.ok(finite(one.cond) && finite(one.uncond));
    assert.notDeepEqual([...one.cond], [...two.cond]);
  } finally {
    await imageEncoder.release();
  }
});

test('no face in any reference is a typed error naming the photos', async () => {
  await assert.rejects(
    prepareFaceConditioning({ adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), references: [{ file: blank }] }, { faceModels, cacheDir: folder }),
    (e: unknown) => e instanceof StudioError && e.code === 'face.none-found' && /wall\.png/.test(e.userMessage),
  );
});
