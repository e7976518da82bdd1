// Reference intake → face analysis through the contract, with the stand-in face models: faces stored on add, the
// face choice, the identity indicator, and photos kept (then analysed) when the face models arrive later.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { waitUntil } from '../../../test/helpers/wait-until.ts';
import { composeStudio, type Studio } from '../compose.ts';
import { readEnvironment } from '../environment.ts';
import { workerThreadGeneration } from '../host-generation.ts';

function studioWithFaceModels(t: TestContext, faceModels: string): Studio {
  const folder = tempFolder(t);
  const env = { ...process.env, FACEID_FACE_MODELS: faceModels, FACEID_COMPILED_DIR: path.join(folder, 'compiled') };
  const studio = composeStudio({ libraryFolder: path.join(folder, 'library'), generation: workerThreadGeneration(readEnvironment(env)) });
  t.after(() => studio.stop());
  return studio;
}

async function call<T>(studio: Studio, method: string, request: unknown): Promise<T> {
  const result = await studio.dispatch(method, request);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.userMessage}`);
  return result.value as T;
}

const photoBase64 = async () => (await facePhotoPng()).toString('base64');

test('a photo is analysed on intake (in the background); the face can be chosen; the identity is ready and scores the same face near 1', async (t) => {
  const studio = studioWithFaceModels(t, faceModelsFolder());
  const character = await call<{ id: string }>(studio, 'characters.create', { name: 'Ada' });
  const reference = await call<{ id: string }>(studio, 'references.add', { characterId: character.id, fileName: 'ada.png', dataBase64: await photoBase64() });
  // The photo is answered at once; its faces are found in the background (references.faces waits for that analysis).
  const faces = await call<{ state: string; faces: { box: number[] }[]; chosenFace: number | null }>(studio, 'references.faces', { id: reference.id });
  assert.equal(faces.state, 'analysed');
  assert.ok(faces.faces.length >= 1);
  assert.equal(studio.library.references.get(reference.id).faceCount, faces.faces.length);
  assert.ok(faces.faces.every((face) => face.box[2]! > 0 && face.box[3]! > 0), 'boxes are [x, y, width, height]');

  const refused = await studio.dispatch('references.chooseFace', { id: reference.id, faceIndex: faces.faces.length });
  assert.equal(!refused.ok && refused.error.code, 'face.index-out-of-range');
  const chosen = await call<{ chosenFace: number | null }>(studio, 'references.chooseFace', { id: reference.id, faceIndex: faces.faces.length - 1 });
  assert.equal(chosen.chosenFace, faces.faces.length - 1);
  assert.equal(studio.library.references.chosenFace(reference.id), faces.faces.length - 1);

  const identity = await call<{ state: string; facesUsed: number; referenceCount: number }>(studio, 'characters.identity', { id: character.id });
  assert.deepEqual(identity, { state: 'ready', referenceCount: 1, facesUsed: 1 });
  const embedding = await studio.faces!.characterEmbedding(character.id);
  const score = await studio.faces!.identityScore(embedding, await facePhotoPng());
  assert.ok(score !== null && score > 0.99, `the chosen face itself scores ${score}`);
  const wall = await sharp({ create: { width: 160, height: 160, channels: 3, background: '#777777' } }).png().toBuffer();
  assert.equal(await studio.faces!.identityScore(embedding, wall), null, 'no face is recorded as no face, not 0');
});

test('without face models the photo is kept with a clear state; once the models are there it is analysed', async (t) => {
  const models = path.join(tempFolder(t), 'buffalo_l');
  mkdirSync(models);
  const studio = studioWithFaceModels(t, models);
  const character = await call<{ id: string }>(studio, 'characters.create', { name: 'Grace' });
  const reference = await call<{ id: string; faceCount: number | null }>(studio, 'references.add', { characterId: character.id, fileName: 'grace.png', dataBase64: await photoBase64() });
  assert.equal(reference.faceCount, null);
  const missing = await call<{ state: string; hint?: string }>(studio, 'references.faces', { id: reference.id });
  assert.equal(missing.state, 'face-models-missing');
  assert.match(missing.hint ?? '', /Models/u);
  assert.equal((await call<{ state: string }>(studio, 'characters.identity', { id: character.id })).state, 'face-models-missing');
  const queued = await call<{ id: string }>(studio, 'jobs.enqueue', { params: { model: '/nowhere', prompt: 'x', seed: 1, steps: 1, cfg: 7, sampler: 'DDIM', width: 64, height: 64, faceid: { adapter: '/nowhere.bin' } }, characterId: character.id });
  const job = await waitUntil(
    () => {
      const now = studio.library.jobs.get(queued.id);
      return now.state !== 'queued' && now.state !== 'running' && now;
    },
    { what: 'the FaceID job without face models to end', observe: () => studio.library.jobs.get(queued.id).state },
  );
  assert.equal(job.state, 'failed');
  assert.equal(job.error?.code, 'face.model-missing', 'a FaceID job without face models fails with what is missing');

  cpSync(faceModelsFolder(), models, { recursive: true });
  const identity = await call<{ state: string; facesUsed: number }>(studio, 'characters.identity', { id: character.id });
  assert.equal(identity.state, 'ready');
  assert.equal(studio.library.references.get(reference.id).faceCount! >= 1, true);

  const blank = await sharp({ create: { width: 200, height: 160, channels: 3, background: '#6b6b6b' } }).png().toBuffer();
  const other = await call<{ id: string }>(studio, 'characters.create', { name: 'Nobody' });
  await call(studio, 'references.add', { characterId: other.id, fileName: 'wall.png', dataBase64: blank.toString('base64') });
  assert.equal((await call<{ state: string }>(studio, 'characters.identity', { id: other.id })).state, 'no-faces');
});
