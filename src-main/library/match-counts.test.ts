import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { Library } from './library.ts';

const params = GenerationParamsSchema.parse({ model: '/models/sd15.safetensors', prompt: 'a portrait', seed: 7, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 });
const everything = { favoriteOnly: false, sort: 'newest', offset: 0, limit: 10 } as const;

test('a page total follows writes made through this library and through another connection', (t) => {
  const folder = tempFolder(t);
  const library = new Library(folder);
  t.after(() => library.close());
  const first = library.generations.insert({ params, seed: 1 });
  assert.equal(library.generations.list(everything).total, 1);
  assert.equal(library.generations.list({ ...everything, favoriteOnly: true }).total, 0);

  library.generations.setFavorite(first.id, true);
  assert.equal(library.generations.list({ ...everything, favoriteOnly: true }).total, 1);

  // A second process (the engine host, another window) writes through its own connection.
  const other = new Library(folder);
  other.generations.insert({ params, seed: 2 });
  other.close();
  assert.equal(library.generations.list(everything).total, 2);

  library.deleteGenerations([first.id]);
  assert.equal(library.generations.list(everything).total, 1);
  assert.equal(library.generations.list({ ...everything, favoriteOnly: true }).total, 0);
});

test('a generation moved off a character drops that character total', (t) => {
  const folder = tempFolder(t);
  const library = new Library(folder);
  t.after(() => library.close());
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  library.generations.insert({ params, seed: 1, characterId: ada.id });
  assert.equal(library.generations.list({ ...everything, characterId: ada.id }).total, 1);
  library.db.prepare('UPDATE generations SET character_id = NULL').run();
  assert.equal(library.generations.list({ ...everything, characterId: ada.id }).total, 0);
});
