// CLIP vision tower (HF CLIPVisionModel, ViT-H/14 for FaceID-Plus) → ONNX.
// Input: pixel_values float [batch, 3, size, size] (already CLIP-normalised). Output: penultimate_hidden_state
// [batch, 1 + (size/patch)², hidden] = HF hidden_states[-2] (after pre_layrnorm and all but the last layer, no post LN).
// The last encoder layer is not built: nothing uses its output.
import { GraphBuilder } from '../graph/graph-builder.ts';
import { Net } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import { clipEncoderLayer } from './clip-transformer.ts';
import type { ClipVisionConfig } from './config.ts';

export const CLIP_VISION_IO = { input: 'pixel_values', output: 'penultimate_hidden_state' } as const;

export function buildClipVision(weights: WeightMap, config: ClipVisionConfig): GraphBuilder {
  const g = new GraphBuilder('image_encoder');
  const net = new Net(g, weights);
  const p = config.prefix;
  const d = config.hiddenSize;
  const tokens = (config.imageSize / config.patchSize) ** 2 + 1;
  const pixels = g.input(CLIP_VISION_IO.input, 'float', ['batch', 3, config.imageSize, config.imageSize]);
  const patches = g.op('Conv', [pixels, g.weight(weights.get(`${p}embeddings.patch_embedding.weight`, [d, 3, config.patchSize, config.patchSize]))], {
    strides: [config.patchSize, config.patchSize],
  });
  const sequence = g.op('Transpose', [g.op('Reshape', [patches, g.constInt64([0, d, -1])])], { perm: [0, 2, 1] });
  const classToken = g.weight(weights.get(`${p}embeddings.class_embedding`, [d]));
  const batch = g.op('Slice', [g.op('Shape', [pixels]), g.constInt64([0]), g.constInt64([1])]);
  const classTokens = g.op('Expand', [g.op('Reshape', [classToken, g.constInt64([1, 1, d])]), g.op('Concat', [batch, g.constInt64([1, d])], { axis: 0 })]);
  const embeddings = g.op('Add', [
    g.op('Concat', [classTokens, sequence], { axis: 1 }),
    g.weight(weights.get(`${p}embeddings.position_embedding.weight`, [tokens, d])),
  ]);
  let h = net.layerNorm(embeddings, `${p}pre_layrnorm`, config.eps, d);
  for (let i = 0; i < config.layers - 1; i++) h = clipEncoderLayer(net, h, `${p}encoder.layers.${i}`, config);
  g.output(h, CLIP_VISION_IO.output, 'float', ['batch', tokens, d]);
  return g;
}
