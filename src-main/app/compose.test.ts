import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { libraryFolderFromEnvironment } from './compose.ts';
import { readEnvironment } from './environment.ts';

test('FACEID_STUDIO_HOME wins over Electron userData', () => {
  assert.equal(libraryFolderFromEnvironment(readEnvironment({ FACEID_STUDIO_HOME: 'relative/lib' }), '/electron/userData'), path.resolve('relative/lib'));
});

test('without FACEID_STUDIO_HOME: Electron userData, else the folder Electron would use', () => {
  assert.equal(libraryFolderFromEnvironment(readEnvironment({}), '/electron/userData'), '/electron/userData');
  assert.equal(libraryFolderFromEnvironment(readEnvironment({ FACEID_STUDIO_HOME: '' }), '/electron/userData'), '/electron/userData');
  const fallback = libraryFolderFromEnvironment(readEnvironment({}));
  assert.equal(path.basename(fallback), 'FaceID Studio');
  assert.ok(fallback.startsWith(os.homedir()));
  assert.equal(libraryFolderFromEnvironment(readEnvironment({ XDG_CONFIG_HOME: '/x', APPDATA: 'C:\\A' })), process.platform === 'win32' ? path.join('C:\\A', 'FaceID Studio') : process.platform === 'darwin' ? fallback : path.join('/x', 'FaceID Studio'));
});
