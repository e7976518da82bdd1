// The pixel layout the face engine works on: 8-bit, 3 channels, row-major HWC, RGB order.

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width·height·3 bytes, R,G,B per pixel, rows top to bottom. */
  readonly data: Uint8Array;
}

export function rgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  const size = width * height * 3;
  if (data && data.length !== size) throw new RangeError(`image data has ${data.length} bytes but ${width}×${height}×3 needs ${size}`);
  return { width, height, data: data ?? new Uint8Array(size) };
}

/** Swaps channels 0 and 2 (RGB ↔ BGR), as insightface's `swapRB` and cv2.imread order need. */
export function swapRedBlue(image: RgbImage): RgbImage {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = image.data[i + 2]!;
    out[i + 1] = image.data[i + 1]!;
    out[i + 2] = image.data[i]!;
  }
  return { width: image.width, height: image.height, data: out };
}
