// A checkpoint without a tokenizer of its own (every single-file checkpoint) is tokenized with the tokenizer the app
// ships: no tokenizer folder in the model, none configured, no download.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { StudioError } from '../../base/errors.ts';
import { SessionPool } from '../onnx/session-pool.ts';
import { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { ModelLoader } from './model-loader.ts';

const pool = () => new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] });

test('a model without its own tokenizer, and no tokenizer configured, loads with the shipped one', async (t) => {
  const work = tempFolder(t, 'faceid-loader-');
  // The tiny SD1.5 diffusers folder minus tokenizer/: the model compiles (a tiny single file cannot, for want of its
  // configs) and, like a single-file checkpoint, brings no tokenizer.
  const model = path.join(work, 'sd15-no-tokenizer');
  mkdirSync(model);
  for (const part of ['model_index.json', 'scheduler', 'text_encoder', 'unet', 'vae']) cpSync(fixture('sd15-tiny', part), path.join(model, part), { recursive: true });
  const expected = (await ClipTokenizer.fromFolder(fixture('sd15-tiny', 'tokenizer'))).encodePadded('a photo of a woman, best quality');

  for (const tokenizerDir of [undefined, path.join(work, 'models', 'tokenizer', 'clip-vit-large-patch14')]) {
    const loader = new ModelLoader({ cacheDir: path.join(work, 'compiled'), pool: pool(), ...(tokenizerDir === undefined ? {} : { tokenizerDir }) });
    const loaded = await loader.load({ model, loras: [] });
    assert.deepEqual(loaded.tokenizers[0]!.encodePadded('a photo of a woman, best quality'), expected, `tokenizerDir ${tokenizerDir}`);
  }
});

test('a single-file checkpoint with no tokenizer anywhere gets past the tokenizer (to the tiny file\'s missing configs)', async (t) => {
  const loader = new ModelLoader({ cacheDir: tempFolder(t, 'faceid-loader-'), pool: pool() });
  await assert.rejects(loader.load({ model: fixture('sd15-tiny.safetensors'), loras: [] }), (error: unknown) => error instanceof StudioError && error.code === 'compile.config-needed');
});
