import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GalleryQuerySchema } from '../../src-preload/contract/gallery.ts';
import { GenerationParamsSchema, type GenerationParams } from '../../src-preload/contract/generation.ts';
import { BUILTIN_STYLE_PRESETS } from '../../src-preload/contract/presets.ts';
import { tempLibrary } from '../../test/helpers/temp-library.ts';
import { StudioError } from '../base/errors.ts';
import { GalleryQueries } from './gallery-query.ts';
import { PresetsRepository } from './presets-repository.ts';
import { QueueOrder } from './queue-order.ts';

const base = { prompt: 'a portrait', seed: 1, steps: 4, cfg: 7, sampler: 'Euler a', width: 64, height: 64 } as const;
const params = (model: string, adapter?: string): GenerationParams =>
  GenerationParamsSchema.parse({ ...base, model, ...(adapter === undefined ? {} : { faceid: { adapter } }) });

test('presets: built-ins first, user presets saved, edited, deleted; built-ins neither changed nor deleted', (t) => {
  const library = tempLibrary(t);
  const presets = new PresetsRepository(library.db);
  assert.deepEqual(presets.list().map((p) => p.id), BUILTIN_STYLE_PRESETS.map((p) => p.id));
  const mine = presets.save({ name: 'Noir', template: 'noir photo of {prompt}', negative: 'color', faceWeight: 0.9, structure: 1 });
  assert.equal(mine.builtin, false);
  const edited = presets.save({ ...mine, name: 'Noir 2', faceWeight: 1.1 });
  assert.equal(edited.id, mine.id);
  assert.equal(presets.list().at(-1)?.name, 'Noir 2');
  const fromBuiltin = presets.save({ ...BUILTIN_STYLE_PRESETS[1]!, name: 'My photo' });
  assert.notEqual(fromBuiltin.id, BUILTIN_STYLE_PRESETS[1]!.id);
  assert.equal(presets.list().filter((p) => p.builtin).length, BUILTIN_STYLE_PRESETS.length);
  assert.throws(() => presets.delete(BUILTIN_STYLE_PRESETS[0]!.id), (e) => e instanceof StudioError && e.code === 'invalid-request');
  assert.throws(() => presets.save({ ...mine, id: 'gone' }), (e) => e instanceof StudioError && e.code === 'library.not-found');
  assert.equal(presets.delete(mine.id), true);
  assert.equal(presets.delete(mine.id), false);
});

test('gallery: keyset pages walk every sort exactly once, in order, with filters', (t) => {
  const library = tempLibrary(t);
  const ada = library.characters.create({ name: 'Ada', notes: '' });
  const expected: { id: string; created: number; score: number | null; model: string; favorite: boolean; adapter: string }[] = [];
  for (let i = 0; i < 57; i++) {
    const model = i % 3 === 0 ? '/m/a.safetensors' : '/m/b.safetensors';
    const adapter = i % 2 === 0 ? '/m/faceid-plusv2.bin' : undefined;
    // Repeated timestamps and scores make the tie-breaking rowid matter.
    const score = i % 4 === 0 ? null : (i % 7) / 10;
    const generation = library.generations.insert({ characterId: i % 2 === 0 ? ada.id : null, params: params(model, adapter), seed: i, identityScore: score }, 1000 + Math.floor(i / 3));
    if (i % 5 === 0) library.generations.setFavorite(generation.id, true);
    expected.push({ id: generation.id, created: generation.createdAt, score, model, favorite: i % 5 === 0, adapter: adapter ?? '' });
  }
  const gallery = new GalleryQueries(library.db);
  const walk = (query: Record<string, unknown>): string[] => {
    const ids: string[] = [];
    let page = gallery.page(GalleryQuerySchema.parse({ ...query, limit: 10 }));
    ids.push(...page.generations.map((g) => g.id));
    while (page.nextCursor !== null) {
      page = gallery.page(GalleryQuerySchema.parse({ ...query, limit: 10, after: page.nextCursor, withTotal: false }));
      assert.equal(page.total, null);
      ids.push(...page.generations.map((g) => g.id));
    }
    return ids;
  };
  const byInsert = expected.map((e, index) => ({ ...e, index }));
  const newest = [...byInsert].sort((a, b) => b.created - a.created || b.index - a.index).map((e) => e.id);
  assert.deepEqual(walk({ sort: 'newest' }), newest);
  assert.deepEqual(walk({ sort: 'oldest' }), [...newest].reverse());
  const identity = [...byInsert].sort((a, b) => (b.score ?? -2) - (a.score ?? -2) || b.created - a.created || b.index - a.index).map((e) => e.id);
  assert.deepEqual(walk({ sort: 'identity' }), identity);
  assert.deepEqual(walk({ sort: 'identity', favoriteOnly: true }), identity.filter((id) => expected.find((e) => e.id === id)?.favorite));
  assert.deepEqual(walk({ model: '/m/a.safetensors' }), newest.filter((id) => expected.find((e) => e.id === id)?.model === '/m/a.safetensors'));
  assert.deepEqual(walk({ adapter: '' }), newest.filter((id) => expected.find((e) => e.id === id)?.adapter === ''));
  assert.deepEqual(walk({ characterId: ada.id, createdAfter: 1005, createdBefore: 1010 }).length, expected.filter((e, i) => i % 2 === 0 && e.created >= 1005 && e.created < 1010).length);
  // An offset jump lands on the same rows the keyset walk reaches.
  const jump = gallery.page(GalleryQuerySchema.parse({ sort: 'identity', offset: 20, limit: 5 }));
  assert.deepEqual(jump.generations.map((g) => g.id), identity.slice(20, 25));
  assert.equal(jump.total, 57);
  assert.deepEqual(gallery.facets(), { models: ['/m/a.safetensors', '/m/b.safetensors'], adapters: ['/m/faceid-plusv2.bin'] });
  assert.throws(() => gallery.page(GalleryQuerySchema.parse({ after: 'not a cursor' })), (e) => e instanceof StudioError && e.code === 'invalid-request');
});

test('gallery pages use the indexes, not a sort of the whole table', (t) => {
  const library = tempLibrary(t);
  const plans = (sql: string) => (library.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' | ');
  assert.doesNotMatch(plans(`SELECT * FROM generations WHERE (created_at, rowid) < (1, 1) ORDER BY created_at DESC, rowid DESC LIMIT 10`), /TEMP B-TREE/);
  assert.doesNotMatch(plans(`SELECT * FROM generations ORDER BY ifnull(identity_score, -2) DESC, created_at DESC, rowid DESC LIMIT 10`), /TEMP B-TREE/);
  assert.doesNotMatch(plans(`SELECT * FROM generations WHERE favorite = 1 ORDER BY created_at DESC, rowid DESC LIMIT 10`), /TEMP B-TREE/);
  assert.doesNotMatch(plans(`SELECT * FROM generations WHERE adapter = 'x' ORDER BY created_at DESC, rowid DESC LIMIT 10`), /TEMP B-TREE/);
});

test('queue order: moved jobs run in their new place; the engine takes the first', (t) => {
  const library = tempLibrary(t);
  const [a, b, c] = [0, 1, 2].map((i) => library.jobs.enqueue({ params: params('/m/a.safetensors') }, 100 + i));
  const order = new QueueOrder(library.db);
  assert.deepEqual(order.queued().map((j) => j.id), [a!.id, b!.id, c!.id]);
  assert.deepEqual(order.move(c!.id, a!.id).map((j) => j.id), [c!.id, a!.id, b!.id]);
  assert.equal(library.jobs.nextQueued()?.id, c!.id);
  assert.deepEqual(order.move(c!.id).map((j) => j.id), [a!.id, b!.id, c!.id]);
  assert.deepEqual(order.move(b!.id, a!.id).map((j) => j.id), [b!.id, a!.id, c!.id]);
  library.jobs.markRunning(b!.id);
  assert.throws(() => order.move(b!.id), (e) => e instanceof StudioError && e.code === 'invalid-request');
  assert.throws(() => order.move(a!.id, b!.id), (e) => e instanceof StudioError && e.code === 'invalid-request');
});
