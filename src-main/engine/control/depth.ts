// The depth control map of a picture through Depth Anything V2 (ONNX; Small is onnx-community/depth-anything-v2-small
// onnx/model.onnx), made as its own inference and the depth_anything_v2 annotator of comfyui_controlnet_aux make it:
// the RGB picture in [0, 1] resized (cv2 INTER_CUBIC, float64) so its shorter side is at least 518 keeping the aspect
// ratio, both sides rounded to multiples of 14 (the ViT's patch), ImageNet mean/std, the model's relative inverse
// depth (near = large) interpolated back to the picture's size (bilinear, align_corners=True), then min-max scaled to
// 0…255 and truncated to 8 bits, grey in R, G and B. The model's input and output are found by position, so exports
// naming them pixel_values / predicted_depth or image / depth both work.
// sd-webui-controlnet's own depth_anything_v2 annotator differs: it interpolates with align_corners=False and hands
// the model BGR; we follow upstream's infer_image.
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import { roundHalfEven } from '../face/opencv-kernels.ts';
import { openSession } from '../onnx/session.ts';
import { resizeBilinearAlignCorners, resizeCubicF64 } from './depth-resize.ts';

const INPUT_SIZE = 518;
const PATCH = 14;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

const f32 = Math.fround;

/** Upstream's constrain_to_multiple_of with a lower bound: nearest multiple (half to even), or the next one up. */
function multipleOfPatch(x: number, atLeast: number): number {
  const nearest = roundHalfEven(x / PATCH) * PATCH;
  return nearest < atLeast ? Math.ceil(x / PATCH) * PATCH : nearest;
}

/** The model input size for a picture: scaled so both sides reach 518 (aspect kept), each a multiple of 14. */
export function depthInputSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.max(INPUT_SIZE / height, INPUT_SIZE / width);
  return { width: multipleOfPatch(scale * width, INPUT_SIZE), height: multipleOfPatch(scale * height, INPUT_SIZE) };
}

/** The model input, NCHW float32: the picture /255 as float64, cubic-resized, then (v − mean) / std per channel. */
export function depthInput(rgb: Uint8Array, width: number, height: number): { tensor: Float32Array; width: number; height: number } {
  const size = depthInputSize(width, height);
  const unit = new Float64Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) unit[i] = rgb[i]! / 255;
  const resized = resizeCubicF64(unit, width, height, 3, size.width, size.height);
  const plane = size.width * size.height;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) tensor[c * plane + i] = (resized[3 * i + c]! - MEAN[c]!) / STD[c]!;
  return { tensor, ...size };
}

/**
 * (d − min) / (max − min) · 255 in float32, truncated to 8 bits, as grey RGB. A flat depth (max = min) is black: upstream
 * divides by zero there and NumPy casts the NaNs to 0.
 */
export function depthToGrey(depth: Float32Array): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (const d of depth) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const range = f32(max - min);
  const grey = new Uint8Array(3 * depth.length);
  if (!(range > 0)) return grey;
  for (let i = 0; i < depth.length; i++) grey.fill(Math.trunc(f32(f32(f32(depth[i]! - min) / range) * 255)), 3 * i, 3 * i + 3);
  return grey;
}

function unsupported(file: string, what: string): StudioError {
  return new StudioError('generate.unsupported-model', {
    userMessage: `${file} ${what}`,
    hint: 'Use a Depth Anything V2 ONNX export, e.g. onnx/model.onnx of depth-anything-v2-small (one image input [N, 3, H, W], depth out [N, H, W]).',
  });
}

/** Opens a Depth Anything V2 ONNX model: one image input, the depth as its first output. */
export async function openDepthSession(file: string): Promise<ort.InferenceSession> {
  if (!existsSync(file)) {
    throw new StudioError('generate.model-missing', {
      userMessage: `The depth model file ${file} does not exist.`,
      hint: 'The depth preprocessor needs a Depth Anything V2 ONNX model (depth-anything-v2-small onnx/model.onnx).',
    });
  }
  const session = await openSession(file);
  if (session.inputNames.length !== 1) {
    const inputs = session.inputNames.length;
    await session.release();
    throw unsupported(file, `has ${inputs} inputs; Depth Anything V2 has one, the image.`);
  }
  return session;
}

/** The depth control map of an 8-bit HWC RGB picture: width × height × 3 bytes, grey (near = light). */
export async function depthMap(rgb: Uint8Array, width: number, height: number, session: ort.InferenceSession): Promise<Uint8Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3) {
    throw new StudioError('invalid-request', {
      userMessage: `The depth preprocessor needs an RGB picture of ${width}×${height} pixels (${width * height * 3} bytes), and was given ${rgb.length} bytes.`,
      hint: 'Decode the picture to 8-bit RGB first.',
    });
  }
  const input = depthInput(rgb, width, height);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input.tensor, [1, 3, input.height, input.width]) };
  const output = (await session.run(feeds))[session.outputNames[0]!]!;
  const dims = output.dims;
  const [mapHeight, mapWidth] = [dims[dims.length - 2] ?? 0, dims[dims.length - 1] ?? 0];
  if (output.type !== 'float32' || dims.length < 2 || mapHeight * mapWidth === 0 || output.size !== mapHeight * mapWidth) {
    throw unsupported('The depth model', `gave a ${output.type} output of shape [${dims.join(', ')}]; Depth Anything V2 gives one float32 depth map [1, ${input.height}, ${input.width}].`);
  }
  const depth = resizeBilinearAlignCorners(output.data as Float32Array, mapWidth, mapHeight, width, height);
  return depthToGrey(depth);
}
