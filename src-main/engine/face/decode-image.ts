// User photos → upright 8-bit RGB pixels, safely. The header is read first (no pixels): unsupported formats are
// named, huge images are refused before decoding or shrunk while decoding, EXIF orientation is applied before
// detection, CMYK/grey/16-bit become sRGB 8-bit, transparency is flattened on white (the FaceID author's padding
// colour), and an animated image gives its first frame. Decoder failures become typed errors.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { rgbImage, type RgbImage } from './image.ts';

/** Images above this many pixels are refused before any pixel is decoded (a 12000×12000 photo is 144 MP); the same limit as the library's intake. */
export const DEFAULT_MAX_INPUT_PIXELS = 64_000_000;
/** Larger images are shrunk while decoding so the long side is this: plenty for a 640 px detector and 224 px crops. */
export const DEFAULT_MAX_SIDE = 4096;

export interface DecodeImageOptions {
  readonly maxInputPixels?: number;
  readonly maxSide?: number;
  /** How messages name a picture given as bytes (an upload's file name). */
  readonly name?: string;
}

export interface DecodedImage {
  readonly image: RgbImage;
  /** Plain sentences about what was done to the photo (rotation, first frame, colour conversion, shrinking). */
  readonly notes: readonly string[];
  readonly source: {
    readonly format: string;
    /** Stored size before orientation and shrinking. */
    readonly width: number;
    readonly height: number;
    readonly orientation: number;
    readonly frames: number;
  };
}

const SUPPORTED = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';
// ISO-BMFF brands of HEIC/HEIF photos (iPhone); libvips here reads only the AV1 flavour (AVIF).
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).trim().split('\n')[0]!;
}

function nameOf(input: string | Uint8Array): string {
  return typeof input === 'string' ? path.basename(input) : 'The image';
}

async function leadingBytes(input: string | Uint8Array, count: number): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, count);
  const handle = await open(input, 'r');
  try {
    const bytes = new Uint8Array(count);
    const { bytesRead } = await handle.read(bytes, 0, count, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function heicBrand(head: Uint8Array): string | null {
  if (head.length < 12) return null;
  const text = Buffer.from(head.subarray(4, 12)).toString('latin1');
  if (!text.startsWith('ftyp')) return null;
  const brand = text.slice(4);
  return HEIC_BRANDS.has(brand) ? brand : null;
}

async function checkReadable(input: string | Uint8Array, name: string): Promise<void> {
  if (typeof input === 'string') {
    const info = await stat(input).catch(() => null);
    if (!info || !info.isFile()) {
      throw new StudioError('image.not-found', { userMessage: `${input} does not exist or is not a file.`, hint: 'Check the path and try again.' });
    }
    if (info.size === 0) throw new StudioError('image.empty', { userMessage: `${name} is empty (0 bytes).`, hint: 'Export the photo again.' });
  } else if (input.length === 0) {
    throw new StudioError('image.empty', { userMessage: `${name} is empty (0 bytes).`, hint: 'Export the photo again.' });
  }
  const brand = heicBrand(await leadingBytes(input, 16));
  if (brand) {
    throw new StudioError('image.unsupported-format', {
      userMessage: `${name} is a HEIC/HEIF photo (brand "${brand}"), which FaceID Studio cannot read.`,
      hint: `Convert it to JPEG or PNG first (on an iPhone: Settings → Camera → Formats → Most Compatible), or use a ${SUPPORTED} file.`,
    });
  }
}

/** Decodes a reference photo into upright sRGB 8-bit RGB, with notes about everything that was changed. */
export async function decodeReferenceImage(input: string | Uint8Array, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  const name = options.name ?? nameOf(input);
  await checkReadable(input, name);
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const source = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let metadata: Metadata;
  try {
    metadata = await sharp(source, { limitInputPixels: false }).metadata();
  } catch (cause) {
    const text = firstLine(cause);
    if (/unsupported image format/i.test(text)) {
      throw new StudioError('image.unsupported-format', { userMessage: `${name} is not an image format FaceID Studio can read.`, hint: `Use a ${SUPPORTED} file.`, cause });
    }
    throw new StudioError('image.corrupt', { userMessage: `${name} could not be read: ${text}.`, hint: 'The file may be damaged; export the photo again.', cause });
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  const frames = metadata.pages ?? 1;
  const orientation = metadata.orientation ?? 1;
  if (width <= 0 || height <= 0) throw new StudioError('image.empty', { userMessage: `${name} has no pixels (${width}×${height}).`, hint: 'Export the photo again.' });
  if (width * height > maxInputPixels) {
    throw new StudioError('image.too-large', {
      userMessage: `${name} is ${width}×${height} px (${Math.round((width * height) / 1e6)} megapixels), more than the ${Math.round(maxInputPixels / 1e6)} megapixels FaceID Studio decodes.`,
      hint: `Resize it to at most ${maxSide} px on the long side, or crop around the face, and add it again.`,
    });
  }
  const notes: string[] = [];
  if (orientation > 1) notes.push(`Rotated upright using the photo's EXIF orientation (${orientation}).`);
  if (frames > 1) notes.push(`${metadata.format?.toUpperCase() ?? 'Image'} has ${frames} frames: the first frame was used.`);
  if (metadata.space === 'cmyk') notes.push('CMYK image converted to RGB.');
  const [uprightWidth, uprightHeight] = orientation >= 5 ? [height, width] : [width, height];
  let pipeline = sharp(source, { limitInputPixels: maxInputPixels, failOn: 'warning', pages: 1, page: 0 }).autoOrient();
  if (Math.max(uprightWidth, uprightHeight) > maxSide) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
    const factor = maxSide / Math.max(uprightWidth, uprightHeight);
    notes.push(`Shrunk from ${uprightWidth}×${uprightHeight} to about ${Math.round(uprightWidth * factor)}×${Math.round(uprightHeight * factor)} px for analysis.`);
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new StudioError('image.corrupt', {
      userMessage: `${name} is damaged or incomplete (${firstLine(cause)}).`,
      hint: 'The file may have been cut off while copying or downloading; get the original photo again.',
      cause,
    });
  }
  const { info, data } = raw;
  if (info.channels !== 3) throw new StudioError('image.unsupported-format', { userMessage: `${name} decoded to ${info.channels} channels instead of RGB.`, hint: `Save it as an RGB ${SUPPORTED} file.` });
  return {
    image: rgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    notes,
    source: { format: metadata.format ?? 'unknown', width, height, orientation, frames },
  };
}
