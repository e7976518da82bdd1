import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compiledCacheDir } from '../models/studio-paths.ts';
import { defaultEngineOptions } from './engine-options.ts';
import { readEnvironment } from './environment.ts';

test('the engine uses the same compiled-model cache as faceid compile', () => {
  assert.equal(defaultEngineOptions(readEnvironment()).cacheDir, compiledCacheDir(readEnvironment()));
  assert.equal(defaultEngineOptions(readEnvironment({ FACEID_STUDIO_HOME: '/s' })).cacheDir, path.join('/s', 'compiled'));
  assert.equal(defaultEngineOptions(readEnvironment({ FACEID_COMPILED_DIR: '/c' })).cacheDir, path.resolve('/c'));
  assert.equal(defaultEngineOptions(readEnvironment({ FACEID_STUDIO_HOME: '/s' })).tokenizerDir, path.join('/s', 'models', 'tokenizer', 'clip-vit-large-patch14'));
});
