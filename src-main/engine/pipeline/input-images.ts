// The images a job reads from files: the img2img init image (as the VAE's input tensor) and the inpaint mask, both
// resized to the job's size. Files keep their own depth: a 16-bit PNG or TIFF is read at 16 bits, so an init image
// exported from a 16-bit editor is not rounded to 8 bits on the way in.
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { rgbToTensor } from './image-tensors.ts';

/** Decoded RGB pixels (HWC) and the value that stands for full intensity (255 or 65535). */
export interface DecodedPixels {
  readonly rgb: Uint8Array | Uint16Array;
  readonly scale: number;
}

/** RGB pixels of `file`, EXIF-rotated and cover-resized to width × height, at the file's own bit depth. */
export async function decodeRgb(file: string, width: number, height: number, what: string): Promise<DecodedPixels> {
  try {
    const image = sharp(file);
    const sixteenBit = (await image.metadata()).depth === 'ushort';
    // 8-bit files stay on the 8-bit path: widening them maps v to v·256, not v·257, and would move every pixel off
    // diffusers' v/255.
    const pipeline = image.rotate().resize(width, height, { fit: 'cover' }).removeAlpha();
    const { data, info } = sixteenBit
      ? await pipeline.toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true })
      : await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return sixteenBit ? { rgb: new Uint16Array(data.buffer, data.byteOffset, data.length / 2), scale: 65535 } : { rgb: new Uint8Array(data), scale: 255 };
  } catch (cause) {
    throw new StudioError('image.unsupported-format', {
      userMessage: `The ${what} ${file} could not be read as an image (${(cause as Error).message}).`,
      hint: 'Use a PNG, JPEG or WebP file.',
      cause,
    });
  }
}

/** The init image as the NCHW tensor in [−1, 1] the VAE encoder takes. */
export async function loadInitImage(file: string, width: number, height: number): Promise<Float32Array> {
  const { rgb, scale } = await decodeRgb(file, width, height, 'init image');
  return rgbToTensor(rgb, height, width, scale);
}

/** The mask as one value per pixel in [0, 1] (white = repaint), the mean of its three channels. */
export async function loadMask(file: string, width: number, height: number): Promise<Float32Array> {
  const { rgb, scale } = await decodeRgb(file, width, height, 'mask');
  const mask = new Float32Array(width * height);
  for (let p = 0; p < mask.length; p++) mask[p] = (rgb[p * 3]! + rgb[p * 3 + 1]! + rgb[p * 3 + 2]!) / (3 * scale);
  return mask;
}
