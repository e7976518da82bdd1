// Kill -9 while writing: the library must come back whole, with every acknowledged write and the running job interrupted.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openLibraryDatabase } from '../../src-main/library/db.ts';
import { DATABASE_FILE_NAME } from '../../src-main/library/library.ts';
import type { Result } from '../../src-preload/contract/index.ts';
import { fixture } from '../helpers/fixtures.ts';
import { makeJpeg } from '../helpers/images.ts';
import { spawnHost, type SpawnedHost } from '../helpers/spawn-host.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const WRITERS = 3;
/** Rounds (character, reference photo, queued job) each writer gets in, on average, before the kill. */
const ROUNDS_BEFORE_KILL = 3;

async function call<T>(host: SpawnedHost, method: string, request: unknown): Promise<Result<T>> {
  const response = await fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  return (await response.json()) as Result<T>;
}

test('SIGKILL while writing: integrity ok, every committed row present, the running job interrupted', async (t) => {
  // One hook stops every host before the folder goes: hooks run in the order registered, and a host still running
  // while the folder is removed writes into it again (its model scan), so the removal fails and the host lives on.
  const folder = mkdtempSync(path.join(tmpdir(), 'faceid-crash-'));
  const hosts: SpawnedHost[] = [];
  let db: ReturnType<typeof openLibraryDatabase> | undefined;
  t.after(async () => {
    db?.close();
    for (const spawned of hosts) await spawned.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  const host = await spawnHost(folder);
  hosts.push(host);
  const params = { model: '/models/sd15.safetensors', prompt: 'a portrait', seed: 1, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 };

  // A job the engine is running at the moment of the kill: the tiny model, large and long enough to outlast the writes.
  // The writers' jobs (a model that does not exist) wait behind it in the queue.
  const job = await call<{ id: string }>(host, 'jobs.enqueue', { params: { ...params, model: fixture('sd15-tiny'), steps: 150, batchSize: 8, sampler: 'DDIM' } });
  assert.ok(job.ok);

  // A second studio on the same library is refused while the first runs: two would both claim the queue.
  await assert.rejects(spawnHost(folder), /already open in another FaceID Studio \(process \d+/);

  const photos = await Promise.all(Array.from({ length: 24 }, (_, seed) => makeJpeg({ width: 160, height: 160, seed: seed + 100 })));
  const acknowledged = { characters: [] as string[], references: [] as { id: string; original: string; thumbnail: string }[], jobs: [] as string[] };
  let killed = false;

  async function writer(index: number): Promise<void> {
    for (let round = 0; !killed; round++) {
      try {
        const character = await call<{ id: string }>(host, 'characters.create', { name: `writer ${index} #${round}` });
        if (!character.ok) assert.fail(character.error.userMessage);
        acknowledged.characters.push(character.value.id);
        const photo = photos[(index * 7 + round) % photos.length]!;
        const reference = await call<{ id: string; original: string; thumbnail: string }>(host, 'references.add', { characterId: character.value.id, fileName: `p${round}.jpg`, dataBase64: photo.toString('base64') });
        if (!reference.ok) assert.fail(reference.error.userMessage);
        acknowledged.references.push(reference.value);
        const queued = await call<{ id: string }>(host, 'jobs.enqueue', { params: { ...params, seed: round }, characterId: character.value.id });
        if (!queued.ok) assert.fail(queued.error.userMessage);
        acknowledged.jobs.push(queued.value.id);
      } catch (error) {
        if (killed) return; // the request in flight when the host died: never acknowledged, so not expected back
        throw error;
      }
    }
  }

  const writers = Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
  // Counted, not timed: a loaded machine gets through fewer writes a second, so the kill waits for the writes (and a
  // writer that fails ends the wait at once: the writers only resolve after the kill).
  const rounds = WRITERS * ROUNDS_BEFORE_KILL;
  await Promise.race([waitUntil(() => acknowledged.jobs.length >= rounds, { what: `${rounds} acknowledged write rounds`, observe: () => acknowledged.jobs.length }), writers]);
  killed = true;
  host.process.kill('SIGKILL');
  await writers;
  await host.stop();
  assert.equal(host.process.signalCode, 'SIGKILL');

  const restarted = await spawnHost(folder);
  hosts.push(restarted);
  assert.match(restarted.output(), /1 job\(s\) left running by the last session are marked interrupted/);

  db = openLibraryDatabase(path.join(folder, DATABASE_FILE_NAME));
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  const present = (table: string, ids: string[]) => ids.filter((id) => db!.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) === undefined);
  assert.deepEqual(present('characters', acknowledged.characters), [], 'acknowledged characters missing');
  assert.deepEqual(present('reference_photos', acknowledged.references.map((r) => r.id)), [], 'acknowledged references missing');
  assert.deepEqual(present('jobs', acknowledged.jobs), [], 'acknowledged jobs missing');
  for (const reference of acknowledged.references) {
    assert.ok(existsSync(path.join(folder, reference.original)) && existsSync(path.join(folder, reference.thumbnail)), `files of ${reference.id}`);
  }

  const interrupted = await call<{ state: string; finishedAt: number | null }>(restarted, 'jobs.get', { id: job.value.id });
  assert.ok(interrupted.ok);
  assert.equal(interrupted.value.state, 'interrupted');
  assert.notEqual(interrupted.value.finishedAt, null);
  t.diagnostic(`${acknowledged.characters.length} characters, ${acknowledged.references.length} photos, ${acknowledged.jobs.length} jobs acknowledged before the kill`);
});
