// The two resizes of Depth Anything V2's own inference, reproduced: cv2.resize(..., INTER_CUBIC) on the float64
// picture in [0, 1] (the model input), and torch's F.interpolate(..., mode="bilinear", align_corners=True) on the
// float32 depth (back to the picture's size). Written from OpenCV's resize.cpp generic path for doubles (float32
// coefficients, a = −0.75, source x = (dx + 0.5)·(in/out) − 0.5 rounded to float32, replicated border, horizontal pass
// then vertical, no clipping) and PyTorch's CPU upsample kernel (float32 scale (in − 1)/(out − 1), x-blend per row,
// then the two rows blended).

const f32 = Math.fround;

/** Keys' cubic convolution weights of OpenCV's interpolateCubic for a fraction x in [0, 1), in float32. */
export function cubicWeights(x: number): [number, number, number, number] {
  const A = -0.75;
  const x1 = f32(x + 1);
  const w0 = f32(f32(f32(f32(f32(f32(A * x1) + 3.75) * x1) - 6) * x1) + 3);
  const w1 = f32(f32(f32(f32(f32(1.25 * x) - 2.25) * x) * x) + 1);
  const y = f32(1 - x);
  const w2 = f32(f32(f32(f32(f32(1.25 * y) - 2.25) * y) * y) + 1);
  const w3 = f32(f32(f32(1 - w0) - w1) - w2);
  return [w0, w1, w2, w3];
}

interface CubicAxis {
  /** The four source indices per output position (s − 1 … s + 2, held inside the picture). */
  readonly taps: Int32Array;
  /** Their weights (float32 values), four per output position. */
  readonly weights: Float64Array;
}

/** Per output position: the four source indices (clamped to the edge: border replicate) and their weights. */
function cubicAxis(inSize: number, outSize: number): CubicAxis {
  // OpenCV divides 1 by out/in rather than in by out: the two can differ in the last bit.
  const scale = 1 / (outSize / inSize);
  const taps = new Int32Array(4 * outSize);
  const weights = new Float64Array(4 * outSize);
  for (let d = 0; d < outSize; d++) {
    const position = f32((d + 0.5) * scale - 0.5);
    const s = Math.floor(position);
    weights.set(cubicWeights(f32(position - s)), 4 * d);
    for (let k = 0; k < 4; k++) taps[4 * d + k] = Math.min(inSize - 1, Math.max(0, s - 1 + k));
  }
  return { taps, weights };
}

/** cv2.resize(image, (outWidth, outHeight), interpolation=cv2.INTER_CUBIC) for a float64 HWC image (any channel count). */
export function resizeCubicF64(pixels: Float64Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Float64Array {
  if (width === outWidth && height === outHeight) return pixels.slice();
  const xs = cubicAxis(width, outWidth);
  const ys = cubicAxis(height, outHeight);
  const rowLength = outWidth * channels;
  const rows = new Float64Array(height * rowLength);
  for (let y = 0; y < height; y++) {
    const source = y * width * channels;
    for (let x = 0; x < outWidth; x++) {
      const t = 4 * x;
      const [p0, p1, p2, p3] = [source + xs.taps[t]! * channels, source + xs.taps[t + 1]! * channels, source + xs.taps[t + 2]! * channels, source + xs.taps[t + 3]! * channels];
      const [w0, w1, w2, w3] = [xs.weights[t]!, xs.weights[t + 1]!, xs.weights[t + 2]!, xs.weights[t + 3]!];
      for (let c = 0; c < channels; c++) {
        rows[y * rowLength + x * channels + c] = pixels[p0 + c]! * w0 + pixels[p1 + c]! * w1 + pixels[p2 + c]! * w2 + pixels[p3 + c]! * w3;
      }
    }
  }
  const out = new Float64Array(outHeight * rowLength);
  for (let y = 0; y < outHeight; y++) {
    const t = 4 * y;
    const [r0, r1, r2, r3] = [ys.taps[t]! * rowLength, ys.taps[t + 1]! * rowLength, ys.taps[t + 2]! * rowLength, ys.taps[t + 3]! * rowLength];
    const [w0, w1, w2, w3] = [ys.weights[t]!, ys.weights[t + 1]!, ys.weights[t + 2]!, ys.weights[t + 3]!];
    for (let i = 0; i < rowLength; i++) {
      out[y * rowLength + i] = rows[r0 + i]! * w0 + rows[r1 + i]! * w1 + rows[r2 + i]! * w2 + rows[r3 + i]! * w3;
    }
  }
  return out;
}

interface LinearAxis {
  readonly index0: Int32Array;
  readonly index1: Int32Array;
  readonly lambda0: Float32Array;
  readonly lambda1: Float32Array;
}

/** torch's align_corners source index scale·d (float32), floored, with the far neighbour held at the last pixel. */
function alignCornersAxis(inSize: number, outSize: number): LinearAxis {
  const scale = outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  const axis = { index0: new Int32Array(outSize), index1: new Int32Array(outSize), lambda0: new Float32Array(outSize), lambda1: new Float32Array(outSize) };
  for (let d = 0; d < outSize; d++) {
    const position = f32(scale * d);
    const i0 = Math.min(Math.floor(position), inSize - 1);
    const lambda = Math.min(Math.max(f32(position - i0), 0), 1);
    axis.index0[d] = i0;
    axis.index1[d] = i0 < inSize - 1 ? i0 + 1 : i0;
    axis.lambda1[d] = lambda;
    axis.lambda0[d] = f32(1 - lambda);
  }
  return axis;
}

/** F.interpolate(map[None, None], (outHeight, outWidth), mode="bilinear", align_corners=True)[0, 0] on a float32 map. */
export function resizeBilinearAlignCorners(map: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  const xs = alignCornersAxis(width, outWidth);
  const ys = alignCornersAxis(height, outHeight);
  const out = new Float32Array(outWidth * outHeight);
  const rowBlend = (row: number, x: number): number => f32(f32(map[row * width + xs.index0[x]!]! * xs.lambda0[x]!) + f32(map[row * width + xs.index1[x]!]! * xs.lambda1[x]!));
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      out[y * outWidth + x] = f32(rowBlend(ys.index0[y]!, x) * ys.lambda0[y]!) + f32(rowBlend(ys.index1[y]!, x) * ys.lambda1[y]!);
    }
  }
  return out;
}
