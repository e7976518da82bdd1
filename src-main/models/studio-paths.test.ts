import assert from 'node:assert/strict';
import { test } from 'node:test';
import { libraryFolderFromEnvironment } from '../app/compose.ts';
import { defaultStudioDir } from './studio-paths.ts';

test('the CLI finds the same studio folder as the app (with and without FACEID_STUDIO_HOME)', () => {
  const saved = process.env.FACEID_STUDIO_HOME;
  try {
    delete process.env.FACEID_STUDIO_HOME;
    assert.equal(defaultStudioDir(), libraryFolderFromEnvironment());
    process.env.FACEID_STUDIO_HOME = '/tmp/some-studio';
    assert.equal(defaultStudioDir(), libraryFolderFromEnvironment());
  } finally {
    if (saved === undefined) delete process.env.FACEID_STUDIO_HOME;
    else process.env.FACEID_STUDIO_HOME = saved;
  }
});
