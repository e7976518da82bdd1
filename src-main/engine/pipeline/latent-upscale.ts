// Resizing latents as torch's F.interpolate(x, size=(H, W), mode, align_corners=False, antialias=False) does, the
// call A1111's latent hires upscalers make (modules/shared_items latent_upscale_modes). Each output sample reads its
// source position src = scale·(dst + ½) − ½ (scale = in/out, computed in float32 as torch's CPU kernel does); the
// kernels are torch's: linear on the clamped position, Keys' cubic with A = −0.75 and source indices clamped to the
// border, and the two nearest variants (floor(dst·scale) and floor((dst + ½)·scale)).

const f = Math.fround;

export type LatentUpscaleMode = 'bilinear' | 'bicubic' | 'nearest' | 'nearest-exact';

/**
 * torch's cubic_convolution1 (|x| ≤ 1) and cubic_convolution2 (1 < |x| < 2) with A = −0.75. The source position is
 * float32 as in torch (it decides which samples are read and how far away they are); the weights and sums are kept in
 * float64 and the result rounded once, which stays within float32 rounding of torch's own float arithmetic.
 */
const CUBIC_A = -0.75;
const cubicNear = (x: number): number => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubicFar = (x: number): number => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

/** One output index's taps along an axis: source indices (already clamped) and their weights. */
interface Taps {
  readonly index: readonly number[];
  readonly weight: readonly number[];
}

function axisTaps(inSize: number, outSize: number, mode: LatentUpscaleMode): Taps[] {
  const scale = f(inSize / outSize);
  const clampIndex = (i: number): number => Math.min(Math.max(i, 0), inSize - 1);
  return Array.from({ length: outSize }, (_, dst): Taps => {
    switch (mode) {
      case 'nearest':
        return { index: [Math.min(Math.floor(f(dst * scale)), inSize - 1)], weight: [1] };
      case 'nearest-exact':
        return { index: [Math.min(Math.floor(f(f(dst + 0.5) * scale)), inSize - 1)], weight: [1] };
      case 'bilinear': {
        // Linear modes clamp a negative source position to 0 (area_pixel_compute_source_index, cubic = false).
        const src = Math.max(f(f(scale * f(dst + 0.5)) - 0.5), 0);
        const i0 = Math.min(Math.floor(src), inSize - 1);
        const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
        const t = f(src - i0);
        return { index: [i0, i1], weight: [1 - t, t] };
      }
      case 'bicubic': {
        const src = f(f(scale * f(dst + 0.5)) - 0.5);
        const i = Math.floor(src);
        const t = f(src - i);
        return {
          index: [i - 1, i, i + 1, i + 2].map(clampIndex),
          weight: [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)],
        };
      }
    }
  });
}

/**
 * NCHW latents [channels·inHeight·inWidth per batch item, `items` items] resized to outHeight × outWidth.
 * Separable: rows first, then columns — the same sums torch's 2-D kernels form, in the same tap order per axis.
 */
export function upscaleLatents(latents: Float32Array, shape: { channels: number; height: number; width: number }, outHeight: number, outWidth: number, mode: LatentUpscaleMode): Float32Array {
  const { channels, height, width } = shape;
  const planes = latents.length / (height * width);
  if (!Number.isInteger(planes) || planes % channels !== 0) throw new RangeError(`latents of ${latents.length} values are not [n, ${channels}, ${height}, ${width}]`);
  const rows = axisTaps(height, outHeight, mode);
  const cols = axisTaps(width, outWidth, mode);
  const out = new Float32Array(planes * outHeight * outWidth);
  const rowMix = new Float64Array(width);
  for (let p = 0; p < planes; p++) {
    const src = p * height * width;
    const dst = p * outHeight * outWidth;
    for (let y = 0; y < outHeight; y++) {
      const { index: ry, weight: wy } = rows[y]!;
      // Rows first, then columns: the same value as torch's order up to float rounding (float64 here, rounded once).
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < ry.length; k++) sum += wy[k]! * latents[src + ry[k]! * width + x]!;
        rowMix[x] = sum;
      }
      for (let x = 0; x < outWidth; x++) {
        const { index: cx, weight: wx } = cols[x]!;
        let sum = 0;
        for (let k = 0; k < cx.length; k++) sum += wx[k]! * rowMix[cx[k]!]!;
        out[dst + y * outWidth + x] = sum;
      }
    }
  }
  return out;
}
