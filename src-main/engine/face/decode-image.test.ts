// Bad and unusual reference photos, made here with sharp: each gives upright RGB pixels with a note, or a typed error.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { pngHeaderDeclaring } from '../../../test/helpers/images.ts';
import { StudioError } from '../../base/errors.ts';
import { decodeReferenceImage } from './decode-image.ts';

let folder = '';
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-decode-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StudioError, `expected a StudioError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.userMessage, pattern);
    return true;
  });
}

// A 40×20 image: left half red, right half blue, so orientation is visible in the pixels.
async function halfAndHalf(): Promise<Buffer> {
  const width = 40;
  const height = 20;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

test('a PNG decodes to RGB pixels of its size', async () => {
  const decoded = await decodeReferenceImage(await halfAndHalf());
  assert.equal(decoded.image.width, 40);
  assert.equal(decoded.image.height, 20);
  assert.deepEqual([...decoded.image.data.subarray(0, 3)], [255, 0, 0]);
  assert.deepEqual(decoded.notes, []);
});

test('an EXIF-rotated JPEG is turned upright before anything else sees it', async () => {
  // Stored rotated 90° clockwise (red on top) with orientation 8, which tells viewers to rotate it back.
  const stored = await sharp(await halfAndHalf()).rotate(90).jpeg({ quality: 100 }).withMetadata({ orientation: 8 }).toBuffer();
  const decoded = await decodeReferenceImage(stored);
  assert.equal(decoded.image.width, 40);
  assert.equal(decoded.image.height, 20);
  const left = decoded.image.data.subarray((10 * 40 + 2) * 3, (10 * 40 + 2) * 3 + 3);
  assert.ok(left[0]! > 200 && left[2]! < 60, `left side should be red, got ${[...left]}`);
  assert.match(decoded.notes.join(' '), /EXIF orientation \(8\)/);
});

test('a CMYK JPEG becomes RGB, said so', async () => {
  const cmyk = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#ff8000' } }).toColourspace('cmyk').jpeg().toBuffer();
  const decoded = await decodeReferenceImage(cmyk);
  const [r, g, b] = decoded.image.data;
  assert.ok(r! > 200 && g! > 80 && g! < 180 && b! < 60, `expected orange, got ${r},${g},${b}`);
  assert.match(decoded.notes.join(' '), /CMYK/);
});

test('an animated GIF gives its first frame, said so', async () => {
  const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((c) => sharp({ create: { width: 16, height: 16, channels: 3, background: c } }).png().toBuffer()));
  const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
  const decoded = await decodeReferenceImage(gif);
  assert.equal(decoded.image.height, 16);
  const [r, g, b] = decoded.image.data;
  assert.ok(r! > 200 && g! < 50 && b! < 50, `expected the red first frame, got ${r},${g},${b}`);
  assert.match(decoded.notes.join(' '), /3 frames: the first frame was used/);
});

test('a 12000×12000 PNG is refused from its header, before decoding pixels', async () => {
  // Header-only files (a 6-byte IDAT, no pixel data): decoding one fails as corrupt, as the small one shows, so the
  // large one refused as too large, with its header's size, was refused without decoding.
  const header = path.join(folder, 'header-only.png');
  await writeFile(header, pngHeaderDeclaring(40, 30));
  await rejectsWith(decodeReferenceImage(header), 'image.corrupt', /header-only\.png/);
  const file = path.join(folder, 'huge.png');
  await writeFile(file, pngHeaderDeclaring(12000, 12000));
  await rejectsWith(decodeReferenceImage(file), 'image.too-large', /huge\.png is 12000×12000 px \(144 megapixels\)/);
});

test('an image over the long-side limit is shrunk while decoding, said so', async () => {
  const decoded = await decodeReferenceImage(await halfAndHalf(), { maxSide: 20 });
  assert.equal(decoded.image.width, 20);
  assert.equal(decoded.image.height, 10);
  assert.match(decoded.notes.join(' '), /Shrunk from 40×20/);
});

test('a truncated JPEG is a typed error naming the file', async () => {
  const noisy = Buffer.alloc(256 * 256 * 3);
  for (let i = 0; i < noisy.length; i++) noisy[i] = (i * 7919) % 251;
  const jpeg = await sharp(noisy, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const file = path.join(folder, 'cut.jpg');
  await writeFile(file, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  await rejectsWith(decodeReferenceImage(file), 'image.corrupt', /cut\.jpg is damaged or incomplete/);
});

test('a HEIC photo is named as unsupported', async () => {
  // The same ISO-BMFF container as an iPhone photo, with the HEIC brand.
  const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } }).avif().toBuffer();
  avif.write('heic', 8, 'latin1');
  const file = path.join(folder, 'IMG_0001.HEIC');
  await writeFile(file, avif);
  await rejectsWith(decodeReferenceImage(file), 'image.unsupported-format', /IMG_0001\.HEIC is a HEIC\/HEIF photo/);
});

test('text pretending to be an image, an empty file and a missing file are typed errors', async () => {
  const text = path.join(folder, 'notes.jpg');
  await writeFile(text, 'these are not pixels');
  await rejectsWith(decodeReferenceImage(text), 'image.unsupported-format', /notes\.jpg is not an image format/);
  const empty = path.join(folder, 'empty.png');
  await writeFile(empty, '');
  await rejectsWith(decodeReferenceImage(empty), 'image.empty', /empty\.png is empty/);
  await rejectsWith(decodeReferenceImage(path.join(folder, 'nope.png')), 'image.not-found', /does not exist/);
});
