// A tiny stand-in for Depth Anything V2's ONNX export with its interface: `pixel_values` [N, 3, H, W] (multiples of 14)
// → `predicted_depth` [N, H, W], ≥ 0. Seeded weights: one 14×14 patch projection, ReLU, a nearest ×14 upsample — so
// the "depth" follows the picture's content patch by patch, as the real model's does.
import { encodeOnnxModel } from './onnx-writer.ts';
import { SeededRandom } from './seeded-random.ts';

const PATCH = 14;

export function buildTinyDepthModel(seed: number): Uint8Array {
  const rng = new SeededRandom(seed);
  return encodeOnnxModel({
    opset: 13,
    inputs: [{ name: 'pixel_values', shape: ['batch_size', 3, 'height', 'width'] }],
    outputs: [{ name: 'predicted_depth', shape: ['batch_size', 'height', 'width'] }],
    initializers: [
      { name: 'patch_w', dims: [1, 3, PATCH, PATCH], data: rng.normals(3 * PATCH * PATCH, 0.05) },
      { name: 'patch_b', dims: [1], data: Float32Array.of(0.5) },
      { name: 'scales', dims: [4], data: Float32Array.of(1, 1, PATCH, PATCH) },
      { name: 'axis', dims: [1], data: new BigInt64Array([1n]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['pixel_values', 'patch_w', 'patch_b'], outputs: ['patches'], attributes: { kernel_shape: { ints: [PATCH, PATCH] }, strides: { ints: [PATCH, PATCH] } } },
      { op: 'Relu', inputs: ['patches'], outputs: ['positive'] },
      { op: 'Resize', inputs: ['positive', '', 'scales'], outputs: ['upsampled'], attributes: { mode: { s: 'nearest' } } },
      { op: 'Squeeze', inputs: ['upsampled', 'axis'], outputs: ['predicted_depth'] },
    ],
  });
}
