import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { composeStudio } from '../compose.ts';

test('prompts.tokenCount counts CLIP tokens with the models folder tokenizer, in 75-token chunks', async (t) => {
  const folder = tempFolder(t);
  mkdirSync(path.join(folder, 'models'), { recursive: true });
  cpSync(fixture('tokenizer'), path.join(folder, 'models', 'tokenizer'), { recursive: true });
  const studio = composeStudio({ libraryFolder: folder });
  t.after(() => studio.close());
  const short = await studio.dispatch('prompts.tokenCount', { text: 'a photo of an astronaut' });
  assert.deepEqual(short, { ok: true, value: { tokens: 5, chunks: 1 } });
  const tagged = await studio.dispatch('prompts.tokenCount', { text: 'a photo of an astronaut <lora:film grain:0.7>' });
  assert.deepEqual(tagged, short, 'a LoRA tag is not text the encoder sees');
  const long = await studio.dispatch('prompts.tokenCount', { text: Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ') });
  assert.equal(long.ok, true);
  const value = (long as { value: { tokens: number; chunks: number } }).value;
  assert.ok(value.tokens > 75, `${value.tokens} tokens`);
  assert.equal(value.chunks, Math.ceil(value.tokens / 75));
});

test('prompts.tokenCount for a single-file checkpoint with no tokenizer installed counts with the shipped one; bad requests are refused', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  // CLIP's BPE, not a word count: these 3 words and a comma are 7 tokens.
  assert.deepEqual(await studio.dispatch('prompts.tokenCount', { text: 'faceid portraiture, photorealistic', model: fixture('sd15-tiny.safetensors') }), { ok: true, value: { tokens: 7, chunks: 1 } });
  const refused = await studio.dispatch('prompts.tokenCount', { text: 5 });
  assert.equal(refused.ok, false);
  const badPreset = await studio.dispatch('presets.save', { name: 'x', template: 'no placeholder', negative: '', faceWeight: 1, structure: 1 });
  assert.equal(badPreset.ok === false && badPreset.error.code, 'invalid-request');
});

test('masks.save stores a PNG mask under masks/ (served as media) and refuses what is not a PNG', async (t) => {
  const { default: sharp } = await import('sharp');
  const { existsSync } = await import('node:fs');
  const { isMediaPath } = await import('../../../src-preload/contract/media.ts');
  const folder = tempFolder(t);
  const studio = composeStudio({ libraryFolder: folder });
  t.after(() => studio.close());
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
  const saved = await studio.dispatch('masks.save', { dataBase64: png.toString('base64') });
  assert.equal(saved.ok, true);
  const value = (saved as { value: { image: string; width: number; height: number } }).value;
  assert.deepEqual([value.width, value.height], [64, 48]);
  assert.ok(isMediaPath(value.image), value.image);
  assert.ok(existsSync(path.join(folder, value.image)));
  const refused = await studio.dispatch('masks.save', { dataBase64: Buffer.from('not a png').toString('base64') });
  assert.equal(refused.ok === false && refused.error.code, 'image.unsupported-format');
});

test('masks.faceBoxes finds the faces of a library image with the models folder detector; says what is missing otherwise', async (t) => {
  const { cpSync: copy, mkdirSync: makeDir, writeFileSync } = await import('node:fs');
  const { faceModelsFolder, facePhotoPng } = await import('../../../test/helpers/face-fixtures.ts');
  const folder = tempFolder(t);
  const studio = composeStudio({ libraryFolder: folder });
  t.after(() => studio.close());
  const image = 'generations/ab/abface.png';
  makeDir(path.join(folder, 'generations', 'ab'), { recursive: true });
  writeFileSync(path.join(folder, image), await facePhotoPng());
  const missing = await studio.dispatch('masks.faceBoxes', { image });
  assert.equal(missing.ok === false && missing.error.code, 'face.model-missing');

  copy(faceModelsFolder(), path.join(folder, 'models', 'insightface'), { recursive: true });
  const found = await studio.dispatch('masks.faceBoxes', { image });
  assert.equal(found.ok, true, JSON.stringify(found));
  const value = (found as { value: { width: number; height: number; faces: { box: number[]; score: number }[] } }).value;
  assert.ok(value.faces.length > 0);
  for (const { box, score } of value.faces) {
    assert.ok(box[0]! < box[2]! && box[1]! < box[3]! && box[2]! <= value.width + 1 && box[3]! <= value.height + 1, JSON.stringify(box));
    assert.ok(score > 0 && score <= 1);
  }
  const refused = await studio.dispatch('masks.faceBoxes', { image: '../etc/passwd' });
  assert.equal(refused.ok === false && refused.error.code, 'invalid-request');
});
