// Face test inputs made from the face fixtures: the synthetic photo on which the tiny detector finds faces
// (fixtures/face/README.md: img_landscape_bgr, the e2e image) and the stand-in models folder.
import sharp from 'sharp';
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';
import { readTensorBytes } from '../../src-main/engine/io/descriptors.ts';
import { fixture } from './fixtures.ts';

export const faceModelsFolder = (): string => fixture('face', 'models');

/** The e2e photo as raw RGB pixels plus its size. */
export async function facePhotoPixels(): Promise<{ data: Buffer; width: number; height: number }> {
  const index = await readSafetensors(fixture('face', 'face_goldens.safetensors'));
  const descriptor = index.tensors.get('img_landscape_bgr');
  if (!descriptor) throw new Error('face_goldens.safetensors has no img_landscape_bgr');
  const bgr = await readTensorBytes(descriptor);
  const [height, width] = descriptor.shape as [number, number, number];
  const data = Buffer.alloc(bgr.length);
  for (let i = 0; i < bgr.length; i += 3) {
    data[i] = bgr[i + 2]!;
    data[i + 1] = bgr[i + 1]!;
    data[i + 2] = bgr[i]!;
  }
  return { data, width, height };
}

/** The e2e photo encoded losslessly as PNG: analysing it must give exactly the e2e goldens' faces. */
export async function facePhotoPng(): Promise<Buffer> {
  const { data, width, height } = await facePhotoPixels();
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
