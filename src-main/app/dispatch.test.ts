import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import { test } from 'node:test';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { DATABASE_FILE_NAME } from '../library/library.ts';
import { composeStudio } from './compose.ts';
import { createDispatch } from './dispatch.ts';
import type { StudioHandlers } from './handlers/handler-types.ts';

test('an unexpected exception becomes `internal` with a log id, logged with its cause', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  const logged: [string, string, unknown][] = [];
  const broken: StudioHandlers = {
    ...studio.handlers,
    characters: { ...studio.handlers.characters, list: () => { throw new RangeError('disk on fire'); } },
  };
  const dispatch = createDispatch(broken, { logError: (logId, method, error) => logged.push([logId, method, error]) });
  const result = await dispatch('characters.list', {});
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.code, 'internal');
  assert.match(result.error.logId ?? '', /^[0-9a-f]{8}$/);
  assert.deepEqual(logged.map(([logId, method]) => [logId, method]), [[result.error.logId, 'characters.list']]);
  assert.doesNotMatch(result.error.userMessage, /disk on fire/, 'internal details stay in the log');
});

test('a handler answer that breaks the contract is caught, not sent', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  const broken: StudioHandlers = { ...studio.handlers, settings: { ...studio.handlers.settings, get: () => ({ theme: 'purple' }) as never } };
  const result = await createDispatch(broken, { logError: () => undefined })('settings.get', {});
  assert.equal(result.ok ? 'ok' : result.error.code, 'internal');
});

test('unknown methods, prototype names and missing requests get clear answers', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  for (const method of ['characters.explode', 'constructor.name', '__proto__.toString', 'characters', 'characters.list.extra', '']) {
    const result = await studio.dispatch(method, {});
    assert.equal(result.ok ? 'ok' : result.error.code, 'not-found', method);
  }
  const listed = await studio.dispatch('characters.list', undefined);
  assert.deepEqual(listed, { ok: true, value: { characters: [] } });
});

test('unknown request fields are dropped, not stored', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  const result = await studio.dispatch('characters.create', { name: 'Ada', id: 'chosen-by-caller', createdAt: 0 });
  assert.ok(result.ok);
  const character = result.value as { id: string; createdAt: number };
  assert.notEqual(character.id, 'chosen-by-caller');
  assert.ok(character.createdAt > 0);
});

test('a library locked by another process answers library.busy', async (t) => {
  const folder = tempFolder(t);
  const studio = composeStudio({ libraryFolder: folder });
  t.after(() => studio.close());
  studio.library.db.pragma('busy_timeout = 50');
  const other = new Database(path.join(folder, DATABASE_FILE_NAME));
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const result = await studio.dispatch('characters.create', { name: 'Ada' });
  other.exec('ROLLBACK');
  assert.equal(result.ok ? 'ok' : result.error.code, 'library.busy');
  assert.equal((await studio.dispatch('characters.create', { name: 'Ada' })).ok, true, 'works again once the lock is gone');
});
