// Control pictures in the library (control/ab/<sha256>.png) and their preprocessed maps (control/ab/<sha256>-<how>.png),
// both served as media: the picture a unit names in its parameters, so Remix and the details view recall it.
import { Buffer } from 'node:buffer';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { controlMap, needsAnnotators } from '../../engine/control/control-image.ts';
import { decodeReferenceImage } from '../../engine/face/decode-image.ts';
import { sha256Hex } from '../../library/blob-store.ts';
import { isMediaPath } from '../../../src-preload/contract/media.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function controlHandlers({ library, annotators }: StudioServices): NamespaceHandlers<'control'> {
  return {
    saveImage: async ({ fileName, dataBase64 }) => {
      // Decoded as reference photos are (format named, size limits, EXIF orientation), stored upright as PNG.
      const { image } = await decodeReferenceImage(new Uint8Array(Buffer.from(dataBase64, 'base64')), { name: fileName });
      const png = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
      const sha256 = sha256Hex(png);
      const path = `control/${sha256.slice(0, 2)}/${sha256}.png`;
      library.blobs.write(path, png);
      return { image: path, width: image.width, height: image.height };
    },
    preview: async ({ image, preprocess, width, height, low, high }) => {
      if (!isMediaPath(image)) throw new StudioError('invalid-request', { userMessage: `${image} is not an image of the library.` });
      const map = await controlMap(library.blobs.absolute(image), width, height, { preprocess, low, high }, needsAnnotators(preprocess) ? await annotators?.() : undefined);
      const png = await sharp(Buffer.from(map), { raw: { width, height, channels: 3 } }).png().toBuffer();
      const sha256 = sha256Hex(png);
      const path = `control/${sha256.slice(0, 2)}/${sha256}-map.png`;
      library.blobs.write(path, png);
      return { map: path };
    },
  };
}
