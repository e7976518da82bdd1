import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import { makeJpeg } from '../../test/helpers/images.ts';
import { tempLibrary } from '../../test/helpers/temp-library.ts';
import { StudioError } from '../base/errors.ts';
import { Library } from './library.ts';

const params = GenerationParamsSchema.parse({ model: '/models/sd15.safetensors', prompt: 'a portrait', seed: 7, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 });

test('opens with WAL and foreign keys on', (t) => {
  const library = tempLibrary(t);
  assert.equal(library.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(library.db.pragma('foreign_keys', { simple: true }), 1);
});

test('creates, renames and lists characters by name', (t) => {
  const library = tempLibrary(t);
  const zoe = library.characters.create({ name: 'Zoe', notes: '' });
  library.characters.create({ name: 'ada', notes: 'first' });
  const renamed = library.characters.update(zoe.id, { name: 'Bea' });
  assert.equal(renamed.name, 'Bea');
  assert.deepEqual(library.characters.list().map((c) => c.name), ['ada', 'Bea']);
});

test('stores a reference once by content hash, with original bytes and thumbnail', async (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  const bytes = await makeJpeg({ seed: 1 });
  const reference = await library.addReference(ada.id, 'ada.jpg', bytes);
  assert.match(reference.original, new RegExp(`^references/${reference.sha256.slice(0, 2)}/${reference.sha256}\\.jpg$`));
  assert.ok(existsSync(library.blobs.absolute(reference.original)));
  assert.ok(existsSync(library.blobs.absolute(reference.thumbnail)));
  assert.equal(library.characters.get(ada.id).coverThumbnail, reference.thumbnail);

  await assert.rejects(library.addReference(ada.id, 'copy of ada.jpg', bytes), (error) => error instanceof StudioError && error.code === 'library.duplicate');
  assert.equal(library.references.listForCharacter(ada.id).length, 1);
});

test('removing a reference removes its files unless another character shares them', async (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  const bea = library.characters.create({ name: 'Bea', notes: '' });
  const bytes = await makeJpeg({ seed: 2 });
  const forAda = await library.addReference(ada.id, 'a.jpg', bytes);
  const forBea = await library.addReference(bea.id, 'b.jpg', bytes);
  library.removeReference(forAda.id);
  assert.ok(existsSync(library.blobs.absolute(forBea.original)), 'still used by Bea');
  library.removeReference(forBea.id);
  assert.ok(!existsSync(library.blobs.absolute(forBea.original)));
  assert.ok(!existsSync(library.blobs.absolute(forBea.thumbnail)));
});

test('a refused photo changes nothing', async (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  await assert.rejects(library.addReference(ada.id, 'notes.txt', Buffer.from('hello')), (error) => error instanceof StudioError && error.code === 'image.unsupported-format');
  assert.equal(library.references.listForCharacter(ada.id).length, 0);
  assert.equal(library.characters.get(ada.id).updatedAt, ada.updatedAt);
});

test('deleting a character keeps its generated images when asked, unlinked from it', async (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  await library.addReference(ada.id, 'a.jpg', await makeJpeg({ seed: 3 }));
  const generation = library.generations.insert({ characterId: ada.id, params, seed: 7 });
  assert.deepEqual(library.deleteCharacter(ada.id, true), { deletedGenerations: 0 });
  assert.equal(library.generations.get(generation.id).characterId, null);
  assert.equal(library.db.prepare('SELECT COUNT(*) FROM reference_photos').pluck().get(), 0);
});

test('deleting a character deletes its generated images when asked', (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  library.generations.insert({ characterId: ada.id, params, seed: 7 });
  library.generations.insert({ characterId: null, params, seed: 8 });
  assert.deepEqual(library.deleteCharacter(ada.id, false), { deletedGenerations: 1 });
  assert.equal(library.generations.list({ favoriteOnly: false, sort: 'newest', offset: 0, limit: 10 }).total, 1);
});

test('generations filter by character, favourite and sort by identity score', (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  const low = library.generations.insert({ characterId: ada.id, params, seed: 1, identityScore: 0.2 }, 1);
  const high = library.generations.insert({ characterId: ada.id, params, seed: 2, identityScore: 0.9 }, 2);
  library.generations.insert({ params, seed: 3 }, 3);
  library.generations.setFavorite(low.id, true);
  const byIdentity = library.generations.list({ characterId: ada.id, favoriteOnly: false, sort: 'identity', offset: 0, limit: 10 });
  assert.deepEqual(byIdentity.generations.map((g) => g.id), [high.id, low.id]);
  const favourites = library.generations.list({ favoriteOnly: true, sort: 'newest', offset: 0, limit: 10 });
  assert.deepEqual(favourites.generations.map((g) => g.id), [low.id]);
  assert.deepEqual(library.generations.get(high.id).params, params);
});

test('jobs left running become interrupted when the library is opened again', (t) => {
  const library = tempLibrary(t);
  const running = library.jobs.enqueue({ params });
  const queued = library.jobs.enqueue({ params });
  library.jobs.markRunning(running.id);
  library.close();
  const reopened = new Library(library.folder);
  t.after(() => reopened.close());
  assert.equal(reopened.interruptedAtStart, 1);
  assert.equal(reopened.jobs.get(running.id).state, 'interrupted');
  assert.equal(reopened.jobs.get(queued.id).state, 'queued');
});

test('a finished job cannot be finished again', (t) => {
  const library = tempLibrary(t);
  const job = library.jobs.enqueue({ params });
  library.jobs.finish(job.id, 'cancelled');
  assert.throws(() => library.jobs.finish(job.id, 'done'), (error) => error instanceof StudioError && /cancelled; it cannot become done/.test(error.userMessage));
});

test('settings read as defaults until changed, and keep changes', (t) => {
  const library = tempLibrary(t);
  assert.equal(library.settings.get().theme, 'dark');
  library.settings.update({ theme: 'light', previewEverySteps: 2 });
  assert.deepEqual([library.settings.get().theme, library.settings.get().previewEverySteps], ['light', 2]);
});

test('face records keep 512-d float32 embeddings exactly, per recognizer, and mark the photo analysed', async (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  const reference = await library.addReference(ada.id, 'a.jpg', await makeJpeg({ seed: 9 }));
  assert.equal(reference.faceCount, null, 'not analysed yet');
  const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 3);
  const face = { box: [1, 2, 30, 40] as [number, number, number, number], landmarks: [[5, 6], [7, 8], [9, 10], [11, 12], [13, 14]] as [number, number][], detectionScore: 0.93 };
  library.faces.replaceForReference(reference.id, [
    { ...face, embedding, embeddingModel: 'arcface-a' },
    { ...face, embedding: null, embeddingModel: null },
  ]);
  assert.equal(library.references.get(reference.id).faceCount, 2);
  const stored = library.faces.embeddedFacesOfCharacter(ada.id, 'arcface-a');
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0]?.embedding, embedding);
  assert.deepEqual(stored[0]?.box, face.box);
  assert.deepEqual(library.faces.embeddedFacesOfCharacter(ada.id, 'arcface-b'), []);
  library.faces.replaceForReference(reference.id, []);
  assert.equal(library.references.get(reference.id).faceCount, 0, 'analysed, no face found');
});

test('a recorded generation has its PNG on disk under its media path', async (t) => {
  const library = tempLibrary(t);
  const png = await makeJpeg(); // any bytes: the library stores what the engine encoded
  const generation = library.recordGeneration({ params, seed: 7, png });
  assert.match(generation.image, /^generations\/[0-9a-f]{2}\/[0-9a-f-]{36}\.png$/);
  assert.ok(existsSync(library.blobs.absolute(generation.image)));
  assert.equal(library.deleteGenerations([generation.id]), 1);
  assert.ok(!existsSync(library.blobs.absolute(generation.image)));
});
