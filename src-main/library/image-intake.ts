// Checks a photo a user brings before anything is stored: header probed first, pixels decoded only when the header is sane.
import sharp, { type Metadata } from 'sharp';
import { StudioError } from '../base/errors.ts';

/** Largest image we decode: 64 megapixels covers every camera photo; a 20000×20000 bomb (400 MP) is refused unread. */
export const MAX_IMAGE_PIXELS = 64_000_000;
export const THUMBNAIL_SIDE_PX = 384;

const ACCEPTED_FORMATS: Readonly<Record<string, { mimeType: string; extension: string }>> = {
  jpeg: { mimeType: 'image/jpeg', extension: 'jpg' },
  png: { mimeType: 'image/png', extension: 'png' },
  webp: { mimeType: 'image/webp', extension: 'webp' },
  gif: { mimeType: 'image/gif', extension: 'gif' },
  tiff: { mimeType: 'image/tiff', extension: 'tiff' },
  avif: { mimeType: 'image/avif', extension: 'avif' },
  heif: { mimeType: 'image/heif', extension: 'heif' },
};
const ACCEPTED_LIST = 'JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF';

export interface InspectedImage {
  mimeType: string;
  extension: string;
  /** Size as displayed, i.e. after the EXIF orientation is applied. */
  width: number;
  height: number;
  /** A normalized WebP thumbnail, EXIF orientation applied. */
  thumbnail: Buffer;
}

/**
 * Validates a photo and makes its thumbnail. Refuses, with a StudioError naming the file:
 * an empty file (`image.empty`), a file that is not an image (`image.unsupported-format`), an image whose header
 * declares more than MAX_IMAGE_PIXELS (`image.too-large`, before any pixel is decoded), and one whose pixels do not
 * decode completely, such as a truncated JPEG (`image.corrupt`).
 */
export async function inspectImage(bytes: Buffer, fileName: string): Promise<InspectedImage> {
  if (bytes.length === 0) {
    throw new StudioError('image.empty', { userMessage: `${fileName} is empty (0 bytes).`, hint: 'Choose the photo file itself, not an empty placeholder.' });
  }
  let metadata: Metadata;
  try {
    // metadata() reads only the header: nothing is decoded yet.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw notAnImage(fileName, cause);
  }
  const format = metadata.format === undefined ? undefined : ACCEPTED_FORMATS[metadata.format];
  if (format === undefined || metadata.width === undefined || metadata.height === undefined) throw notAnImage(fileName);
  const pixels = metadata.width * metadata.height;
  if (pixels > MAX_IMAGE_PIXELS) {
    throw new StudioError('image.too-large', {
      userMessage: `${fileName} is ${metadata.width}×${metadata.height} pixels (${(pixels / 1e6).toFixed(0)} megapixels); the studio accepts up to ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
      hint: 'Resize the photo (a face needs only a few hundred pixels) and add it again.',
    });
  }
  let thumbnail: Buffer;
  try {
    // rotate() with no angle applies the EXIF orientation: without it phone photos arrive sideways.
    // failOn 'warning' turns libjpeg's "premature end of data" into an error instead of a grey half-image.
    thumbnail = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning' })
      .rotate()
      .resize(THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (cause) {
    throw new StudioError('image.corrupt', {
      userMessage: `${fileName} is damaged: its pixels cannot be decoded (${(cause as Error).message.split('\n')[0]}).`,
      hint: 'The file is probably incomplete (an interrupted copy or download). Copy it again from its source.',
      cause,
    });
  }
  return {
    mimeType: format.mimeType,
    extension: format.extension,
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    thumbnail,
  };
}

function notAnImage(fileName: string, cause?: unknown): StudioError {
  return new StudioError('image.unsupported-format', {
    userMessage: `${fileName} is not an image the studio can read.`,
    hint: `Choose a ${ACCEPTED_LIST} photo.`,
    cause,
  });
}
