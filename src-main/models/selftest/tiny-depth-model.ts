// A tiny stand-in for Depth Anything V2 with the real interface (onnx-community/depth-anything-v2-small's
// onnx/model.onnx): input `pixel_values` [N, 3, H, W] (H, W multiples of 14) → `predicted_depth` [N, H, W], so the
// depth preprocessor runs end to end through onnxruntime in tests. One 14×14 stride-14 conv makes a feature per
// patch — the first the patch's mean brightness, the rest seeded noise — squashed by tanh, mixed by a 1×1 conv into
// one channel, resized back ×14 (linear) and kept non-negative by ReLU as the real head does: a bright patch is
// "near" (large), so the map follows the picture.
import { encodeOnnxModel, type OnnxGraph } from './onnx-writer.ts';
import { SeededRandom } from './seeded-random.ts';

const PATCH = 14;
const FEATURES = 8;

function depthGraph(rng: SeededRandom): OnnxGraph {
  const taps = 3 * PATCH * PATCH;
  const patchWeights = rng.normals(FEATURES * taps, 0.02);
  patchWeights.fill(1 / taps, 0, taps);
  const mixWeights = rng.normals(FEATURES, 0.1);
  mixWeights[0] = 0.8;
  return {
    opset: 13,
    inputs: [{ name: 'pixel_values', shape: ['batch_size', 3, 'height', 'width'] }],
    outputs: [{ name: 'predicted_depth', shape: ['batch_size', 'height', 'width'] }],
    initializers: [
      { name: 'patch_w', dims: [FEATURES, 3, PATCH, PATCH], data: patchWeights },
      { name: 'patch_b', dims: [FEATURES], data: rng.normals(FEATURES, 0.1) },
      { name: 'mix_w', dims: [1, FEATURES, 1, 1], data: mixWeights },
      { name: 'mix_b', dims: [1], data: new Float32Array([1]) },
      { name: 'upscale', dims: [4], data: new Float32Array([1, 1, PATCH, PATCH]) },
      { name: 'channel_axis', dims: [1], data: new BigInt64Array([1n]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['pixel_values', 'patch_w', 'patch_b'], outputs: ['patches'], attributes: { kernel_shape: { ints: [PATCH, PATCH] }, strides: { ints: [PATCH, PATCH] } } },
      { op: 'Tanh', inputs: ['patches'], outputs: ['features'] },
      { op: 'Conv', inputs: ['features', 'mix_w', 'mix_b'], outputs: ['patch_depth'], attributes: { kernel_shape: { ints: [1, 1] } } },
      { op: 'Resize', inputs: ['patch_depth', '', 'upscale'], outputs: ['full_depth'], attributes: { mode: { s: 'linear' } } },
      { op: 'Relu', inputs: ['full_depth'], outputs: ['depth'] },
      { op: 'Squeeze', inputs: ['depth', 'channel_axis'], outputs: ['predicted_depth'] },
    ],
  };
}

/** The stand-in's ONNX bytes from `seed`. */
export function buildTinyDepthModel(seed: number): Uint8Array {
  return encodeOnnxModel(depthGraph(new SeededRandom(seed)));
}

/** A picture with depth to find: a dark floor brightening downwards, a bright disc ("near") left of centre, noise. */
export function drawDepthPicture(rng: SeededRandom, width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  const [cx, cy, radius] = [width * 0.35, height * 0.5, Math.min(width, height) * 0.25];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2;
      const base = inDisc ? [235, 225, 210] : [30 + (120 * y) / height, 40 + (100 * y) / height, 60];
      const noise = rng.normal() * 4;
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise)));
    }
  }
  return pixels;
}
