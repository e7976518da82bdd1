import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { readExifUserComment } from './exif-text.ts';

/** EXIF as piexif.dump writes it for A1111: big-endian TIFF, IFD0 → Exif IFD → UserComment "UNICODE\0" + UTF-16BE. */
function a1111Exif(text: string, order: 'MM' | 'II' = 'MM', utf16: 'be' | 'le' = 'be'): Buffer {
  const little = order === 'II';
  const utf16be = Buffer.from(text, 'utf16le').swap16();
  const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), utf16 === 'be' ? utf16be : Buffer.from(text, 'utf16le')]);
  const tiff = Buffer.alloc(8 + 18 + 18 + comment.length);
  const u16 = (v: number, at: number) => (little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
  tiff.write(order, 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  // IFD0: one entry, ExifIFD pointer (LONG) → 26.
  u16(1, 8);
  u16(0x8769, 10), u16(4, 12), u32(1, 14), u32(26, 18), u32(0, 22);
  // Exif IFD: one entry, UserComment (UNDEFINED) at 44.
  u16(1, 26);
  u16(0x9286, 28), u16(7, 30), u32(comment.length, 32), u32(44, 36), u32(0, 40);
  comment.copy(tiff, 44);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

const infotext = 'a cat, "quoted" — ünïcødé\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512';

test('A1111 JPEG: the UserComment in the Exif APP1 segment, UTF-16 big-endian after "UNICODE\\0"', async () => {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const exif = a1111Exif(infotext);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff]), exif]);
  const withExif = Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
  assert.equal((await sharp(withExif).metadata()).width, 8, 'still a valid JPEG');
  assert.equal(readExifUserComment(withExif), infotext);
  assert.equal(readExifUserComment(jpeg), undefined);
});

test('WebP: the EXIF chunk, little-endian TIFF and UTF-16LE text read too', async () => {
  const webp = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).webp().toBuffer();
  const exif = a1111Exif(infotext, 'II', 'le');
  const chunk = Buffer.concat([Buffer.from('EXIF', 'latin1'), Buffer.alloc(4), exif, Buffer.alloc(exif.length % 2)]);
  chunk.writeUInt32LE(exif.length, 4);
  const body = Buffer.concat([webp.subarray(12), chunk]);
  const riff = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), Buffer.from('WEBP', 'latin1'), body]);
  riff.writeUInt32LE(riff.length - 8, 4);
  assert.equal(readExifUserComment(riff), infotext);
  assert.equal(readExifUserComment(new Uint8Array([1, 2, 3])), undefined);
});
