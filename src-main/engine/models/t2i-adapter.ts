// T2I-Adapter → ONNX, both of diffusers' full adapters: SD1.5's `full_adapter` (the control image pixel-unshuffled by
// 8, a 2×2 average pool before levels 1–3) and SDXL's `full_adapter_xl` (unshuffled by 16, the pool before level 2
// only); conv_in, then per level the pool where it has one, a 1×1 in_conv where the width changes, and resnet blocks
// (3×3 conv, ReLU, 1×1 conv, + input). Each level's output is one feature, added where unet.ts adapterFeatureSites says.
//
// Input:   image float [1, c, H, W] in [0, 1] (H, W multiples of 8). Outputs: feature_K float [1, channels_K, …].
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { Net } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';

export const T2I_INPUT = 'image';
export const t2iFeatureOutput = (k: number): string => `feature_${k}`;
export interface T2IAdapterConfig {
  readonly imageChannels: number;
  readonly channels: readonly number[];
  readonly blocksPerLevel: number;
  /** The pixel-unshuffle factor: 8 (full_adapter) or 16 (full_adapter_xl). */
  readonly unshuffle: number;
  /** Which levels start with a 2×2 average pool. */
  readonly poolBefore: readonly boolean[];
}

/** full_adapter_xl's conv_in takes 16·16 values per image channel (1 or 3 channels), full_adapter's 8·8. */
function isXl(convInInputs: number): boolean {
  return convInInputs === 256 || convInInputs === 768;
}

export function t2iAdapterConfig(weights: WeightMap, prefix: string): T2IAdapterConfig {
  const convIn = weights.shape(`${prefix}conv_in.weight`);
  const channels: number[] = [];
  while (weights.has(`${prefix}body.${channels.length}.resnets.0.block1.weight`)) channels.push(weights.shape(`${prefix}body.${channels.length}.resnets.0.block1.weight`)[0]!);
  let blocksPerLevel = 0;
  while (weights.has(`${prefix}body.0.resnets.${blocksPerLevel}.block1.weight`)) blocksPerLevel++;
  const xl = isXl(convIn[1]!);
  const unshuffle = xl ? 16 : 8;
  return { imageChannels: convIn[1]! / (unshuffle * unshuffle), channels, blocksPerLevel, unshuffle, poolBefore: channels.map((_, level) => (xl ? level === 2 : level > 0)) };
}

/** PixelUnshuffle(f): out[c·f² + i·f + j, y, x] = in[c, f·y + i, f·x + j]. */
function pixelUnshuffle(g: GraphBuilder, x: Value, channels: number, factor: number): Value {
  const shape = g.op('Shape', [x]);
  const height = g.op('Div', [g.op('Slice', [shape, g.constInt64([2]), g.constInt64([3])]), g.constInt64([factor])]);
  const width = g.op('Div', [g.op('Slice', [shape, g.constInt64([3]), g.constInt64([4])]), g.constInt64([factor])]);
  const split = g.op('Concat', [g.constInt64([-1, channels]), height, g.constInt64([factor]), width, g.constInt64([factor])], { axis: 0 });
  const moved = g.op('Transpose', [g.op('Reshape', [x, split])], { perm: [0, 1, 3, 5, 2, 4] });
  const merged = g.op('Concat', [g.constInt64([-1, channels * factor * factor]), height, width], { axis: 0 });
  return g.op('Reshape', [moved, merged]);
}

export function buildT2IAdapter(weights: WeightMap, config: T2IAdapterConfig): GraphBuilder {
  const g = new GraphBuilder('t2i_adapter');
  const net = new Net(g, weights);
  const p = 't2i.';
  const image = g.input(T2I_INPUT, 'float', [1, config.imageChannels, 'height', 'width']);
  let h = net.conv2d(pixelUnshuffle(g, image, config.imageChannels, config.unshuffle), `${p}conv_in`, { padding: 1, in: config.imageChannels * config.unshuffle ** 2, out: config.channels[0] });
  let channels = config.channels[0]!;
  config.channels.forEach((out, level) => {
    if (config.poolBefore[level]) h = g.op('AveragePool', [h], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
    if (channels !== out) h = net.conv2d(h, `${p}body.${level}.in_conv`, { in: channels, out });
    channels = out;
    for (let r = 0; r < config.blocksPerLevel; r++) {
      const path = `${p}body.${level}.resnets.${r}`;
      const inner = g.op('Relu', [net.conv2d(h, `${path}.block1`, { padding: 1, in: out, out })]);
      h = g.op('Add', [net.conv2d(inner, `${path}.block2`, { in: out, out }), h]);
    }
    g.output(h, t2iFeatureOutput(level), 'float', [1, out, `feature_${level}_height`, `feature_${level}_width`]);
  });
  return g;
}
