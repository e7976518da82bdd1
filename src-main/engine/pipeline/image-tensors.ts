// Conversions between pixels and the tensors the networks use, and the inpaint mask at latent size.

const f = Math.fround;

/** RGB pixels (HWC, 3 channels, 0..scale) → NCHW float in [−1, 1], as diffusers' image processor (x/255·2 − 1). */
export function rgbToTensor(rgb: Uint8Array | Uint16Array | Float32Array, height: number, width: number, scale = 255): Float32Array {
  const plane = height * width;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = f(f(rgb[p * 3 + c]! / scale) * 2 - 1);
  }
  return out;
}

/** Decoder output NCHW in [−1, 1] → HWC floats in [0, 1] ((x/2 + 0.5) clamped), as diffusers' postprocess. */
export function tensorToUnitHwc(image: Float32Array, height: number, width: number): Float32Array {
  const plane = height * width;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.min(1, Math.max(0, f(f(image[c * plane + p]! / 2) + 0.5)));
  }
  return out;
}

/** HWC [0, 1] → 8-bit RGB, rounded as PIL does after numpy (x·255).round(). */
export function unitHwcToRgb(hwc: Float32Array): Uint8Array {
  return Uint8Array.from(hwc, (v) => Math.round(v * 255));
}

/**
 * The inpaint mask at latent size (1 = repaint). feather 0: binarised at 0.5 and taken by nearest neighbour, as
 * diffusers does; feather > 0: the binary mask is blurred (Gaussian, σ = feather px, as A1111's mask blur) and
 * averaged over each 8×8 block, so the latent blend fades across the edge.
 */
export function latentMask(mask: Float32Array, height: number, width: number, feather: number): Float32Array {
  const h = height / 8;
  const w = width / 8;
  const binary = mask.map((v) => (v >= 0.5 ? 1 : 0));
  const out = new Float32Array(h * w);
  if (feather <= 0) {
    // F.interpolate(mode="nearest"): source index = floor(dst · in/out).
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = binary[Math.floor((y * height) / h) * width + Math.floor((x * width) / w)]!;
    return out;
  }
  const blurred = gaussianBlur(binary, height, width, feather);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) sum += blurred[(y * 8 + dy) * width + x * 8 + dx]!;
      out[y * w + x] = sum / 64;
    }
  }
  return out;
}

/** Separable Gaussian blur with edge clamping. */
export function gaussianBlur(data: Float32Array, height: number, width: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((k) => k / total);
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const dst = new Float32Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
          acc += weights[k + radius]! * src[yy * width + xx]!;
        }
        dst[y * width + x] = acc;
      }
    }
    return dst;
  };
  return pass(pass(data, true), false);
}
