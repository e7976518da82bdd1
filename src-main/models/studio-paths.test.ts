import assert from 'node:assert/strict';
import { test } from 'node:test';
import { libraryFolderFromEnvironment } from '../app/compose.ts';
import { readEnvironment } from '../app/environment.ts';
import { defaultStudioDir } from './studio-paths.ts';

test('the CLI finds the same studio folder as the app (with and without FACEID_STUDIO_HOME)', () => {
  for (const env of [readEnvironment({}), readEnvironment({ FACEID_STUDIO_HOME: '/tmp/some-studio' }), readEnvironment({ XDG_CONFIG_HOME: '/x', APPDATA: 'C:\\A' })]) {
    assert.equal(defaultStudioDir(env), libraryFolderFromEnvironment(env));
  }
});
