// Init images and masks read from files: 8-bit files give diffusers' v/255 exactly, 16-bit PNGs keep their 16 bits,
// masks average their channels, and a file that is no image is a named error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { decodeRgb, loadInitImage, loadMask } from './input-images.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-input-images-'));
after(() => rmSync(work, { recursive: true, force: true }));

const WIDTH = 8;
const HEIGHT = 8;

async function png(name: string, pixels: Uint8Array | Uint16Array): Promise<string> {
  const file = path.join(work, name);
  const image = sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } });
  await (pixels instanceof Uint16Array ? image.toColourspace('rgb16') : image).png().toFile(file);
  return file;
}

test('an 8-bit PNG becomes v/255·2 − 1 per channel, planes in RGB order', async () => {
  const pixels = new Uint8Array(WIDTH * HEIGHT * 3).map((_, i) => (i * 37) % 256);
  const tensor = await loadInitImage(await png('eight.png', pixels), WIDTH, HEIGHT);
  const plane = WIDTH * HEIGHT;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) assert.equal(tensor[c * plane + p], Math.fround(Math.fround(pixels[p * 3 + c]! / 255) * 2 - 1));
  }
});

test('a 16-bit PNG keeps its 16 bits (values between two 8-bit steps survive)', async () => {
  const pixels = new Uint16Array(WIDTH * HEIGHT * 3).map((_, i) => 1000 + i * 701);
  const file = await png('sixteen.png', pixels);
  const decoded = await decodeRgb(file, WIDTH, HEIGHT, 'init image');
  assert.equal(decoded.scale, 65535);
  assert.deepEqual([...decoded.rgb], [...pixels]);
  const tensor = await loadInitImage(file, WIDTH, HEIGHT);
  assert.equal(tensor[0], Math.fround(Math.fround(1000 / 65535) * 2 - 1));
});

test('a mask is the mean of its channels in [0, 1], white = 1, at either depth', async () => {
  const grey = new Uint8Array(WIDTH * HEIGHT * 3).map((_, i) => (Math.floor(i / 3) % 2 === 0 ? 255 : 0));
  const mask8 = await loadMask(await png('mask8.png', grey), WIDTH, HEIGHT);
  assert.deepEqual([...mask8.slice(0, 4)], [1, 0, 1, 0]);
  const mask16 = await loadMask(await png('mask16.png', Uint16Array.from(grey, (v) => v * 257)), WIDTH, HEIGHT);
  assert.deepEqual([...mask16], [...mask8]);
});

test('a file that is no image is refused with a message naming it and what it was for', async () => {
  const bad = path.join(work, 'notes.png');
  writeFileSync(bad, 'not an image');
  await assert.rejects(loadInitImage(bad, WIDTH, HEIGHT), (error: unknown) => {
    assert.ok(error instanceof StudioError);
    assert.equal(error.code, 'image.unsupported-format');
    assert.match(error.userMessage, /init image .*notes\.png/u);
    return true;
  });
});
