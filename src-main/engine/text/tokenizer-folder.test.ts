// The tokenizer the app ships is openai/CLIP's real one, and it is what a model without a tokenizer of its own gets.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { bundledTokenizerFolder } from '../../base/bundled-assets.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import { clipTokenizerFolder } from './tokenizer-folder.ts';

test('the shipped tokenizer is the full CLIP table and tokenizes as SD1.5 pipelines do', async () => {
  const vocab = JSON.parse(readFileSync(path.join(bundledTokenizerFolder, 'vocab.json'), 'utf8')) as Record<string, number>;
  assert.equal(Object.keys(vocab).length, 49408);
  const merges = readFileSync(path.join(bundledTokenizerFolder, 'merges.txt'), 'utf8').split('\n');
  assert.equal(merges[0], '#version: 0.2');
  assert.equal(merges.slice(1).filter((line) => line.length > 0).length, 48894);
  assert.match(readFileSync(path.join(bundledTokenizerFolder, 'LICENSE'), 'utf8'), /MIT License[\s\S]*Copyright \(c\) 2021 OpenAI/);

  const tokenizer = await ClipTokenizer.fromFolder(bundledTokenizerFolder);
  const goldens = JSON.parse(readFileSync(fixture('tokenizer', 'tokenizer_goldens.json'), 'utf8')) as { cases: Array<{ prompt: string; hf_ids77: number[] }> };
  for (const { prompt, hf_ids77 } of goldens.cases) assert.deepEqual(tokenizer.encodePadded(prompt).ids, hf_ids77, JSON.stringify(prompt));
});

test('the first candidate holding vocab.json and merges.txt wins; with none, the shipped copy', (t) => {
  const root = tempFolder(t, 'faceid-tokenizers-');
  const half = path.join(root, 'half');
  mkdirSync(half);
  cpSync(fixture('tokenizer', 'vocab.json'), path.join(half, 'vocab.json'));
  const whole = path.join(root, 'whole');
  cpSync(fixture('sd15-tiny', 'tokenizer'), whole, { recursive: true });

  assert.equal(clipTokenizerFolder([undefined, path.join(root, 'missing'), half, whole]), whole);
  assert.equal(clipTokenizerFolder([undefined, path.join(root, 'missing'), half]), bundledTokenizerFolder);
  assert.equal(clipTokenizerFolder([]), bundledTokenizerFolder);
});
