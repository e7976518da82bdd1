// The depth control map of a picture through Depth Anything V2 (an ONNX export: one image input [N, 3, H, W] with H and
// W multiples of 14, one relative-depth output [N, H, W], near = large), prepared as its own image2tensor does: the
// RGB picture in [0, 1] resized with OpenCV's bicubic so the shorter side reaches 518 (both sides the nearest multiple
// of 14 not below it: MiDaS' "lower_bound"), ImageNet mean/std; the output resized back with torch's bilinear
// (align_corners=True); then as sd-webui-controlnet's annotator maps it: min–max to 0…255, truncated, grey in RGB.
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';

export const DEPTH_INPUT_SIDE = 518;
const PATCH = 14;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/** numpy's round (half to even), as MiDaS' constrain_to_multiple_of uses it. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The model's input size for a width × height picture: aspect kept, each side ≥ 518 and a multiple of 14. */
export function depthInputSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.max(DEPTH_INPUT_SIDE / width, DEPTH_INPUT_SIDE / height);
  const side = (x: number) => {
    const y = roundHalfEven(x / PATCH) * PATCH;
    return y < DEPTH_INPUT_SIDE ? Math.ceil(x / PATCH) * PATCH : y;
  };
  return { width: side(scale * width), height: side(scale * height) };
}

/** OpenCV's cubic weights (A = −0.75) for a fractional offset t. */
function cubicWeights(t: number): [number, number, number, number] {
  const A = -0.75;
  const w0 = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
  const w1 = ((A + 2) * t - (A + 3)) * t * t + 1;
  const w2 = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
  return [w0, w1, w2, 1 - w0 - w1 - w2];
}

/** Source taps and weights along one axis (half-pixel centres, edges replicated, as cv::resize INTER_CUBIC). */
function cubicTaps(from: number, to: number): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(4 * to);
  const weight = new Float64Array(4 * to);
  const scale = from / to;
  for (let d = 0; d < to; d++) {
    const f = (d + 0.5) * scale - 0.5;
    const s = Math.floor(f);
    cubicWeights(f - s).forEach((w, k) => {
      index[4 * d + k] = Math.min(from - 1, Math.max(0, s - 1 + k));
      weight[4 * d + k] = w;
    });
  }
  return { index, weight };
}

/** Bicubic resize of HWC float channels (separable: rows, then columns). */
export function resizeCubic(src: Float64Array, width: number, height: number, channels: number, toWidth: number, toHeight: number): Float64Array {
  const xs = cubicTaps(width, toWidth);
  const ys = cubicTaps(height, toHeight);
  const rows = new Float64Array(height * toWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < toWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < 4; k++) v += xs.weight[4 * x + k]! * src[(y * width + xs.index[4 * x + k]!) * channels + c]!;
        rows[(y * toWidth + x) * channels + c] = v;
      }
    }
  }
  const out = new Float64Array(toHeight * toWidth * channels);
  for (let y = 0; y < toHeight; y++) {
    for (let x = 0; x < toWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let k = 0; k < 4; k++) v += ys.weight[4 * y + k]! * rows[(ys.index[4 * y + k]! * toWidth + x) * channels + c]!;
        out[(y * toWidth + x) * channels + c] = v;
      }
    }
  }
  return out;
}

/** torch's bilinear F.interpolate with align_corners=True of one plane. */
export function resizeBilinearAlignCorners(src: Float32Array, width: number, height: number, toWidth: number, toHeight: number): Float64Array {
  const out = new Float64Array(toWidth * toHeight);
  const sx = toWidth > 1 ? (width - 1) / (toWidth - 1) : 0;
  const sy = toHeight > 1 ? (height - 1) / (toHeight - 1) : 0;
  for (let y = 0; y < toHeight; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < toWidth; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const tx = fx - x0;
      const top = src[y0 * width + x0]! * (1 - tx) + src[y0 * width + x1]! * tx;
      const bottom = src[y1 * width + x0]! * (1 - tx) + src[y1 * width + x1]! * tx;
      out[y * toWidth + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** The depth map (grey in 8-bit HWC RGB) of an 8-bit HWC RGB picture, at the picture's size. */
export async function depthMap(rgb: Uint8Array, width: number, height: number, session: ort.InferenceSession): Promise<Uint8Array> {
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1) {
    throw new StudioError('generate.unsupported-model', { userMessage: `The depth model has ${session.inputNames.length} inputs and ${session.outputNames.length} outputs; Depth Anything V2 has one image input and one depth output.`, hint: 'Use a Depth Anything V2 ONNX export (e.g. onnx-community/depth-anything-v2-small).' });
  }
  const size = depthInputSize(width, height);
  const resized = resizeCubic(Float64Array.from(rgb, (v) => v / 255), width, height, 3, size.width, size.height);
  const plane = size.width * size.height;
  const input = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) input[c * plane + p] = (resized[3 * p + c]! - MEAN[c]!) / STD[c]!;
  const results = await session.run({ [session.inputNames[0]!]: new Tensor('float32', input, [1, 3, size.height, size.width]) });
  const output = results[session.outputNames[0]!]!;
  const dims = output.dims;
  const [outHeight, outWidth] = [dims[dims.length - 2]!, dims[dims.length - 1]!];
  const depth = resizeBilinearAlignCorners(output.data as Float32Array, outWidth, outHeight, width, height);
  let [min, max] = [Infinity, -Infinity];
  for (const v of depth) [min, max] = [Math.min(min, v), Math.max(max, v)];
  const range = max - min;
  const map = new Uint8Array(3 * width * height);
  for (let p = 0; p < width * height; p++) map.fill(range > 0 ? Math.trunc(((depth[p]! - min) / range) * 255) : 0, 3 * p, 3 * p + 3);
  return map;
}
