import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { makeJpeg, makePng, pngHeaderDeclaring } from '../../test/helpers/images.ts';
import { StudioError } from '../base/errors.ts';
import { inspectImage, THUMBNAIL_SIDE_PX } from './image-intake.ts';

const hasCode = (code: string, pattern?: RegExp) => (error: unknown) =>
  error instanceof StudioError && error.code === code && (pattern === undefined || pattern.test(error.userMessage));

test('accepts a JPEG and makes a WebP thumbnail no larger than the thumbnail side', async () => {
  const image = await inspectImage(await makeJpeg({ width: 800, height: 400 }), 'wide.jpg');
  assert.equal(image.mimeType, 'image/jpeg');
  assert.deepEqual([image.width, image.height], [800, 400]);
  const thumbnail = await sharp(image.thumbnail).metadata();
  assert.equal(thumbnail.format, 'webp');
  assert.deepEqual([thumbnail.width, thumbnail.height], [THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX / 2]);
});

test('applies the EXIF orientation: a sideways phone photo is stored upright', async () => {
  // Orientation 6 = the camera was turned 90°: the stored 120×60 pixels display as 60×120.
  const image = await inspectImage(await makeJpeg({ width: 120, height: 60, orientation: 6 }), 'phone.jpg');
  assert.deepEqual([image.width, image.height], [60, 120]);
  const thumbnail = await sharp(image.thumbnail).metadata();
  assert.deepEqual([thumbnail.width, thumbnail.height], [60, 120]);
});

test('refuses a 0-byte file as empty', async () => {
  await assert.rejects(inspectImage(Buffer.alloc(0), 'empty.jpg'), hasCode('image.empty', /empty\.jpg is empty/));
});

test('refuses a file that is not an image, naming it', async () => {
  await assert.rejects(inspectImage(Buffer.from('name,age\nAda,36\n'), 'people.csv'), hasCode('image.unsupported-format', /people\.csv is not an image/));
});

test('refuses a truncated JPEG as corrupt', async () => {
  const jpeg = await makeJpeg({ width: 256, height: 256 });
  await assert.rejects(inspectImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'cut.jpg'), hasCode('image.corrupt', /cut\.jpg is damaged/));
});

test('refuses a 20000×20000 PNG from its header, before decoding pixels', async () => {
  // Header-only files (a 6-byte IDAT, no pixel data): decoding one fails as corrupt, as the small one shows, so the
  // large one refused as too large, with its header's size, was refused without decoding.
  await assert.rejects(inspectImage(pngHeaderDeclaring(40, 30), 'header-only.png'), hasCode('image.corrupt'));
  await assert.rejects(inspectImage(pngHeaderDeclaring(20_000, 20_000), 'bomb.png'), hasCode('image.too-large', /20000×20000/));
});

test('accepts a PNG', async () => {
  const image = await inspectImage(await makePng({ width: 40, height: 30 }), 'flat.png');
  assert.equal(image.extension, 'png');
  assert.deepEqual([image.width, image.height], [40, 30]);
});
