// TAESD decoder (diffusers DecoderTiny semantics) → ONNX, for live previews: clamp the latent (tanh(x/3)·3), a 3×3
// conv + ReLU, then stages of blocks (three 3×3 convs with ReLUs between, + the input, ReLU), each stage but the last
// followed by a ×2 nearest upsample and a bias-free conv, the last by the conv to RGB.
//
// Input:  latent float [1, 4, h, w] — the UNet's latents as they are (TAESD's scaling factor is 1).
// Output: image float [1, 3, 8h, 8w], about [0, 1] (TAESD's own range, clamped by the caller; diffusers maps it to
//         [−1, 1] afterwards).
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { Net } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';

export const TAESD_INPUT = 'latent';
export const TAESD_OUTPUT = 'image';
const PREFIX = 'taesd.layers.';

export interface TaesdConfig {
  /** Blocks per stage (3, 3, 3, 1 in TAESD and TAESDXL), read from which layer indices hold blocks. */
  readonly blocksPerStage: readonly number[];
  readonly latentChannels: number;
}

/** The stage structure from the layer indices: conv, ReLU, then per stage its blocks, and an upsample (no weights) + conv
 * between stages, the last stage ending in the conv to RGB. */
export function taesdConfig(weights: WeightMap): TaesdConfig {
  const blocksPerStage: number[] = [];
  let index = 2;
  for (;;) {
    let blocks = 0;
    while (weights.has(`${PREFIX}${index}.conv.0.weight`)) {
      blocks++;
      index++;
    }
    blocksPerStage.push(blocks);
    if (weights.has(`${PREFIX}${index}.weight`)) break; // the conv to RGB right after the last stage's blocks
    index += 2; // the upsample and its conv
  }
  return { blocksPerStage, latentChannels: weights.shape(`${PREFIX}0.weight`)[1]! };
}

/** AutoencoderTinyBlock with equal widths (all of TAESD's): ReLU(conv(ReLU(conv(ReLU(conv(x))))) + x). */
function block(net: Net, x: Value, path: string): Value {
  const g = net.g;
  let h = g.op('Relu', [net.conv2d(x, `${path}.conv.0`, { padding: 1 })]);
  h = g.op('Relu', [net.conv2d(h, `${path}.conv.2`, { padding: 1 })]);
  h = net.conv2d(h, `${path}.conv.4`, { padding: 1 });
  return g.op('Relu', [g.op('Add', [h, x])]);
}

export function buildTaesdDecoder(weights: WeightMap, config: TaesdConfig): GraphBuilder {
  const g = new GraphBuilder('taesd_decoder');
  const net = new Net(g, weights);
  const latent = g.input(TAESD_INPUT, 'float', [1, config.latentChannels, 'height', 'width']);
  const three = g.constFloat([3]);
  const clamped = g.op('Mul', [g.op('Tanh', [g.op('Div', [latent, three])]), three]);
  let h = g.op('Relu', [net.conv2d(clamped, `${PREFIX}0`, { padding: 1 })]);
  let index = 2;
  config.blocksPerStage.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) h = block(net, h, `${PREFIX}${index++}`);
    if (stage < config.blocksPerStage.length - 1) {
      h = g.op('Resize', [h, '', g.constFloat([1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
      index++;
    }
    h = net.conv2d(h, `${PREFIX}${index++}`, { padding: 1 });
  });
  g.output(h, TAESD_OUTPUT, 'float', [1, 3, 'image_height', 'image_width']);
  return g;
}
