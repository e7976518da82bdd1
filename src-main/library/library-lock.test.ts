import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { StudioError } from '../base/errors.ts';
import { LOCK_FILE_NAME } from './library-lock.ts';
import { Library } from './library.ts';

test('a library open in another running studio is refused with library.busy, and left alone', (t) => {
  const folder = tempFolder(t);
  // The test runner that started this file is a live process other than ours.
  writeFileSync(path.join(folder, LOCK_FILE_NAME), JSON.stringify({ pid: process.ppid, hostname: os.hostname() }));
  assert.throws(() => new Library(folder), (error) => error instanceof StudioError && error.code === 'library.busy' && error.userMessage.includes(`process ${process.ppid}`));
  assert.ok(existsSync(path.join(folder, LOCK_FILE_NAME)));
  assert.ok(!existsSync(path.join(folder, 'library.sqlite')), 'nothing was opened or created');
});

test('a lock left by a process that has exited (a crash) is taken over, and released on close', (t) => {
  const folder = tempFolder(t);
  const exited = spawnSync(process.execPath, ['-e', '']).pid;
  writeFileSync(path.join(folder, LOCK_FILE_NAME), JSON.stringify({ pid: exited, hostname: os.hostname() }));
  const library = new Library(folder);
  library.close();
  assert.ok(!existsSync(path.join(folder, LOCK_FILE_NAME)));
});

test('a half-written lock file does not lock anyone out', (t) => {
  const folder = tempFolder(t);
  writeFileSync(path.join(folder, LOCK_FILE_NAME), '{"pid":');
  new Library(folder).close();
});
