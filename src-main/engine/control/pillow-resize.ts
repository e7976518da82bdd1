// Pillow's Image.resize(size, Image.LANCZOS) for 8-bit images, reproduced: what diffusers' control image processors
// run on a control image of another size than the generation (VaeImageProcessor.resize, resample "lanczos"). Written
// from Pillow's resampling algorithm (libImaging/Resample.c as documented): per axis, Lanczos-3 weights stretched by
// the downscale factor, normalised to sum 1, turned into 22-bit fixed point, applied horizontally then vertically with
// rounding and clipping to 0..255 after each pass.

/** Fixed-point bits of the 8-bit path's weights (32 − 8 − 2). */
const PRECISION_BITS = 22;
const LANCZOS_SUPPORT = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return x >= -LANCZOS_SUPPORT && x < LANCZOS_SUPPORT ? sinc(x) * sinc(x / LANCZOS_SUPPORT) : 0;
}

interface AxisWeights {
  /** Taps per output position (the kernel width, the same for all). */
  readonly taps: number;
  /** First source index per output position. */
  readonly start: Int32Array;
  /** Number of source pixels used per output position. */
  readonly count: Int32Array;
  /** Fixed-point weights, `taps` per output position. */
  readonly weights: Int32Array;
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = LANCZOS_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const min = Math.max(0, Math.trunc(center - support + 0.5));
    const max = Math.min(inSize, Math.trunc(center + support + 0.5)) - min;
    let sum = 0;
    for (let x = 0; x < max; x++) {
      k[x] = lanczos((x + min - center + 0.5) / filterScale);
      sum += k[x]!;
    }
    for (let x = 0; x < max; x++) {
      const w = sum !== 0 ? k[x]! / sum : k[x]!;
      weights[out * taps + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[out] = min;
    count[out] = max;
  }
  return { taps, start, count, weights };
}

function clip8(sum: number): number {
  if (sum >= 1 << (PRECISION_BITS + 8)) return 255;
  if (sum <= 0) return 0;
  return sum >> PRECISION_BITS;
}

/** Resizes interleaved 8-bit pixels (`channels` per pixel) to outWidth × outHeight as Pillow's LANCZOS does. */
export function resizeLanczosU8(pixels: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  if (width === outWidth && height === outHeight) return pixels.slice();
  const vertical = axisWeights(height, outHeight);
  // Only the source rows the vertical pass reads go through the horizontal pass (Pillow's ybox).
  const firstRow = vertical.start[0]!;
  const lastRow = vertical.start[outHeight - 1]! + vertical.count[outHeight - 1]!;
  let rows = pixels;
  let rowWidth = width;
  let rowOffset = 0;
  if (width !== outWidth) {
    const horizontal = axisWeights(width, outWidth);
    const count = lastRow - firstRow;
    rows = new Uint8Array(count * outWidth * channels);
    for (let y = 0; y < count; y++) {
      const source = (y + firstRow) * width * channels;
      for (let x = 0; x < outWidth; x++) {
        const base = x * horizontal.taps;
        const min = horizontal.start[x]!;
        for (let c = 0; c < channels; c++) {
          let sum = 1 << (PRECISION_BITS - 1);
          for (let t = 0; t < horizontal.count[x]!; t++) sum += pixels[source + (min + t) * channels + c]! * horizontal.weights[base + t]!;
          rows[(y * outWidth + x) * channels + c] = clip8(sum);
        }
      }
    }
    rowWidth = outWidth;
    rowOffset = firstRow;
  }
  if (height === outHeight) return rows;
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const base = y * vertical.taps;
    const min = vertical.start[y]! - rowOffset;
    for (let x = 0; x < rowWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let t = 0; t < vertical.count[y]!; t++) sum += rows[((min + t) * rowWidth + x) * channels + c]! * vertical.weights[base + t]!;
        out[(y * outWidth + x) * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}
