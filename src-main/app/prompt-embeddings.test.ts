import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { embeddingFilesIn, withPromptEmbeddings } from './prompt-embeddings.ts';

test('a job gets the embedding files (subfolders too) whose names its prompts mention, in any case', async (t) => {
  const folder = tempFolder(t, 'faceid-embeddings-');
  await mkdir(path.join(folder, 'negative'), { recursive: true });
  for (const name of ['EasyNegative.safetensors', 'negative/bad-hands-5.pt', 'unused.pt', 'notes.txt']) await writeFile(path.join(folder, name), '');
  const files = await embeddingFilesIn(folder);
  assert.deepEqual(files.map((f) => path.relative(folder, f)), ['EasyNegative.safetensors', path.join('negative', 'bad-hands-5.pt'), 'unused.pt']);

  const params = GenerationParamsSchema.parse({ model: 'm.safetensors', prompt: 'a portrait', negativePrompt: 'easynegative, (bad-hands-5:1.2)', seed: 1, steps: 4, cfg: 7, sampler: 'DDIM', width: 64, height: 64 });
  const withEmbeddings = await withPromptEmbeddings(params, async () => files);
  assert.deepEqual(withEmbeddings.embeddings.map((f) => path.basename(f)), ['EasyNegative.safetensors', 'bad-hands-5.pt']);
  await assert.rejects(embeddingFilesIn(path.join(folder, 'missing')), /embeddings folder .* cannot be read/u);
});
