import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { libraryFolderFromEnvironment } from './compose.ts';

function withHome<T>(value: string | undefined, run: () => T): T {
  const saved = process.env.FACEID_STUDIO_HOME;
  if (value === undefined) delete process.env.FACEID_STUDIO_HOME;
  else process.env.FACEID_STUDIO_HOME = value;
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env.FACEID_STUDIO_HOME;
    else process.env.FACEID_STUDIO_HOME = saved;
  }
}

test('FACEID_STUDIO_HOME wins over Electron userData', () => {
  assert.equal(withHome('relative/lib', () => libraryFolderFromEnvironment('/electron/userData')), path.resolve('relative/lib'));
});

test('without FACEID_STUDIO_HOME: Electron userData, else the folder Electron would use', () => {
  assert.equal(withHome(undefined, () => libraryFolderFromEnvironment('/electron/userData')), '/electron/userData');
  assert.equal(withHome('', () => libraryFolderFromEnvironment('/electron/userData')), '/electron/userData');
  const fallback = withHome(undefined, () => libraryFolderFromEnvironment());
  assert.equal(path.basename(fallback), 'FaceID Studio');
  assert.ok(fallback.startsWith(os.homedir()) || process.env.XDG_CONFIG_HOME !== undefined || process.env.APPDATA !== undefined);
});
