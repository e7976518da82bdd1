// The contract's behaviour, run over every transport: the same calls must answer the same way through the studio
// host (HTTP + WebSocket) and through Electron IPC (preload bridge + ipcMain registration).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ErrorCode, Result } from '../../src-preload/contract/index.ts';
import type { Studio } from '../../src-main/app/compose.ts';
import { LOCK_FILE_NAME } from '../../src-main/library/library-lock.ts';
import type { TestStudioClient } from '../helpers/contract-clients.ts';
import { makeJpeg, pngHeaderDeclaring } from '../helpers/images.ts';

export interface ContractTransport {
  name: string;
  /** A fresh studio on a temp library, and a client reaching it through this transport. */
  open(t: TestContext): Promise<{ studio: Studio; client: TestStudioClient }>;
}

function assertFailure(result: Result<unknown>, code: ErrorCode, message?: RegExp): void {
  assert.equal(result.ok, false, `expected ${code}, got ${JSON.stringify(result)}`);
  if (result.ok) return;
  assert.equal(result.error.code, code, result.error.userMessage);
  if (message !== undefined) assert.match(result.error.userMessage, message);
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`call failed: ${result.error.code}: ${result.error.userMessage}`);
  return result.value;
}

/** Every file under the library folder except the database and its lock: what a refused request must not add to. */
function libraryFiles(studio: Studio): string[] {
  return readdirSync(studio.library.folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('library.sqlite') && entry.name !== LOCK_FILE_NAME)
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export function runContractSuite(transport: ContractTransport): void {
  const name = (title: string) => `[${transport.name}] ${title}`;

  test(name('creates, renames, lists and deletes characters'), async (t) => {
    const { client } = await transport.open(t);
    const ada = value(await client.characters.create({ name: '  Ada  ' }));
    assert.equal(ada.name, 'Ada', 'names are trimmed');
    value(await client.characters.update({ id: ada.id, name: 'Ada Lovelace', notes: 'mathematician' }));
    const { characters } = value(await client.characters.list({}));
    assert.deepEqual(characters.map((c) => [c.name, c.notes]), [['Ada Lovelace', 'mathematician']]);
    assert.deepEqual(value(await client.characters.delete({ id: ada.id, keepGeneratedImages: true })), { deletedGenerations: 0 });
    assertFailure(await client.characters.get({ id: ada.id }), 'library.not-found', /no character/);
  });

  test(name('adds reference photos, refuses a duplicate, removes one'), async (t) => {
    const { studio, client } = await transport.open(t);
    const ada = value(await client.characters.create({ name: 'Ada' }));
    const photo = (await makeJpeg({ seed: 4 })).toString('base64');
    const reference = value(await client.references.add({ characterId: ada.id, fileName: 'ada.jpg', dataBase64: photo }));
    assert.equal(reference.mimeType, 'image/jpeg');
    const before = libraryFiles(studio);
    assertFailure(await client.references.add({ characterId: ada.id, fileName: 'again.jpg', dataBase64: photo }), 'library.duplicate', /again\.jpg is already a reference photo/);
    assert.deepEqual(libraryFiles(studio), before);
    assert.equal(value(await client.references.list({ characterId: ada.id })).references.length, 1);
    value(await client.references.remove({ id: reference.id }));
    assert.deepEqual(value(await client.characters.get({ id: ada.id })).references, []);
    assert.deepEqual(libraryFiles(studio), []);
  });

  test(name('bad photos get a clear error and change nothing'), async (t) => {
    const { studio, client } = await transport.open(t);
    const ada = value(await client.characters.create({ name: 'Ada' }));
    const jpeg = await makeJpeg({ width: 256, height: 256, seed: 5 });
    const cases: [string, Buffer, ErrorCode, RegExp][] = [
      ['notes.txt', Buffer.from('just some text, not a photo'), 'image.unsupported-format', /notes\.txt is not an image/],
      ['cut.jpg', jpeg.subarray(0, jpeg.length >> 1), 'image.corrupt', /cut\.jpg is damaged/],
      ['empty.jpg', Buffer.alloc(0), 'image.empty', /empty\.jpg is empty/],
      ['huge.png', pngHeaderDeclaring(20_000, 20_000), 'image.too-large', /20000×20000/],
    ];
    for (const [fileName, bytes, code, message] of cases) {
      assertFailure(await client.references.add({ characterId: ada.id, fileName, dataBase64: bytes.toString('base64') }), code, message);
    }
    assert.equal(value(await client.characters.get({ id: ada.id })).references.length, 0);
    assert.deepEqual(libraryFiles(studio), []);
  });

  test(name('refuses malformed requests with the field and the reason'), async (t) => {
    const { client } = await transport.open(t);
    assertFailure(await client.characters.create({ name: '   ' }), 'invalid-request', /name: A character needs a name/);
    assertFailure(await client.characters.get({ id: 42 } as never), 'invalid-request', /^id: /);
    assertFailure(await client.references.add({ characterId: 'x', fileName: 'a.jpg', dataBase64: 'not base64!' }), 'invalid-request', /not valid base64/);
    assertFailure(await client.characters.delete({ id: 'x' } as never), 'invalid-request', /keepGeneratedImages/);
    assert.deepEqual(value(await client.characters.list({})).characters, []);
  });

  test(name('queues a job, refuses absurd parameters, cancels'), async (t) => {
    const { client } = await transport.open(t);
    const params = { model: '/models/sd15.safetensors', prompt: 'a portrait', seed: 1, steps: 20, cfg: 7, sampler: 'Euler a' as const, width: 512, height: 512 };
    assertFailure(await client.jobs.enqueue({ params: { ...params, steps: 0 } }), 'invalid-request', /params\.steps: steps must be at least 1/);
    assertFailure(await client.jobs.enqueue({ params: { ...params, width: 513 } }), 'invalid-request', /multiple of 8/);
    const job = value(await client.jobs.enqueue({ params }));
    assert.equal(job.state, 'queued');
    assert.equal(job.params.negativePrompt, '', 'defaults are filled in');
    assert.equal(value(await client.jobs.cancel({ id: job.id })).state, 'cancelled');
    assertFailure(await client.jobs.cancel({ id: job.id }), 'invalid-request', /already ended \(cancelled\)/);
    assert.deepEqual(value(await client.jobs.list({ states: ['cancelled'] })).jobs.map((j) => j.id), [job.id]);
  });

  test(name('keeps settings and lists model files'), async (t) => {
    const { studio, client } = await transport.open(t);
    assert.equal(value(await client.settings.get({})).theme, 'dark');
    assert.equal(value(await client.settings.update({ theme: 'light' })).theme, 'light');
    assertFailure(await client.settings.update({ memoryBudgetMb: 1 }), 'invalid-request', /memoryBudgetMb/);
    mkdirSync(path.join(studio.library.folder, 'models', 'checkpoints'), { recursive: true });
    writeFileSync(path.join(studio.library.folder, 'models', 'checkpoints', 'tiny.safetensors'), 'x');
    const { models } = value(await client.models.list({}));
    assert.deepEqual(models.map((m) => [m.name, m.sizeBytes]), [['tiny.safetensors', 1]]);
    const info = value(await client.app.info({}));
    assert.equal(info.libraryFolder, studio.library.folder);
    assert.equal(info.autoModelMemory, info.totalMemoryBytes < 16 * 2 ** 30 ? 'compact' : 'fast', 'what Automatic model memory means on this machine');
  });

  test(name('pushes characters.changed events'), async (t) => {
    const { client } = await transport.open(t);
    const received: unknown[] = [];
    const unsubscribe = client.on('characters.changed', (payload) => received.push(payload));
    await client.ready();
    const ada = value(await client.characters.create({ name: 'Ada' }));
    const deadline = Date.now() + 2000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    unsubscribe();
    assert.deepEqual(received, [{ characterId: ada.id }]);
  });
}
