// Real image files for tests, made with sharp (and one PNG header written by hand for the decompression-bomb case).
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A small JPEG of a colour gradient; `seed` changes its pixels (and so its hash). */
export async function makeJpeg(options: { width?: number; height?: number; seed?: number; orientation?: number } = {}): Promise<Buffer> {
  const width = options.width ?? 96;
  const height = options.height ?? 64;
  const seed = options.seed ?? 0;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 4 + seed * 37) & 255;
      pixels[i + 1] = (y * 4 + seed * 11) & 255;
      pixels[i + 2] = (x + y + seed * 53) & 255;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (options.orientation !== undefined) image.withMetadata({ orientation: options.orientation });
  return image.jpeg({ quality: 90 }).toBuffer();
}

export async function makePng(options: { width?: number; height?: number } = {}): Promise<Buffer> {
  return sharp({ create: { width: options.width ?? 32, height: options.height ?? 32, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
}

/**
 * A valid PNG header declaring width×height pixels, followed by a tiny (incomplete) image stream: a decompression bomb's
 * shape without its size, so a test can check the header is refused before any pixel is decoded.
 */
export function pngHeaderDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
