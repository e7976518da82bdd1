// AutoencoderKL → two ONNX graphs, exactly as diffusers' AutoencoderKL.encode / decode compute them.
//   vae_encoder: sample [batch, in_ch, height, width] in [-1, 1] → latent_mean, latent_logvar (clamped to [-30, 20]),
//                latent_std = exp(logvar / 2), each [batch, latent_ch, height/8, width/8] (after quant_conv).
//   vae_decoder: latent [batch, latent_ch, h, w] (RAW: already divided by the scaling factor) → sample [batch, out_ch, 8h, 8w].
// The scaling factor (0.18215 for SD1.5) is applied by the pipeline, as in diffusers; it is recorded in the
// graph metadata and returned by compileModel.
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { attention, Net, silu, type AttentionKernel } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import type { VaeConfig } from './config.ts';

export const VAE_ENCODER_IO = { input: 'sample', mean: 'latent_mean', logvar: 'latent_logvar', std: 'latent_std' } as const;
export const VAE_DECODER_IO = { input: 'latent', output: 'sample' } as const;

function resnet(net: Net, config: VaeConfig, x: Value, path: string, inChannels: number, outChannels: number): Value {
  const { g } = net;
  let h = silu(g, net.groupNorm(x, `${path}.norm1`, config.groups, config.eps, inChannels));
  h = net.conv2d(h, `${path}.conv1`, { padding: 1, in: inChannels, out: outChannels });
  h = silu(g, net.groupNorm(h, `${path}.norm2`, config.groups, config.eps, outChannels));
  h = net.conv2d(h, `${path}.conv2`, { padding: 1, in: outChannels, out: outChannels });
  const shortcut = inChannels === outChannels ? x : net.conv2d(x, `${path}.conv_shortcut`, { in: inChannels, out: outChannels });
  return g.op('Add', [shortcut, h]);
}

/** The mid-block single-head self-attention over all pixels (GN → q/k/v → attend → to_out → + residual). */
function midAttention(net: Net, config: VaeConfig, x: Value, path: string, channels: number, kernel: AttentionKernel | undefined): Value {
  const { g } = net;
  const shape = g.op('Shape', [x]);
  const normed = net.groupNorm(x, `${path}.group_norm`, config.groups, config.eps, channels);
  const tokens = g.op('Reshape', [g.op('Transpose', [normed], { perm: [0, 2, 3, 1] }), g.constInt64([0, -1, channels])]);
  const q = net.linear(tokens, `${path}.to_q`, { in: channels, out: channels });
  const k = net.linear(tokens, `${path}.to_k`, { in: channels, out: channels });
  const v = net.linear(tokens, `${path}.to_v`, { in: channels, out: channels });
  const o = net.linear(attention(g, q, k, v, 1, channels, kernel), `${path}.to_out.0`, { in: channels, out: channels });
  const spatial = g.op('Concat', [
    g.op('Slice', [shape, g.constInt64([0]), g.constInt64([1])]),
    g.op('Slice', [shape, g.constInt64([2]), g.constInt64([4])]),
    g.constInt64([channels]),
  ], { axis: 0 });
  const image = g.op('Transpose', [g.op('Reshape', [o, spatial])], { perm: [0, 3, 1, 2] });
  return g.op('Add', [image, x]);
}

function midBlock(net: Net, config: VaeConfig, h: Value, path: string, channels: number, kernel: AttentionKernel | undefined): Value {
  let x = resnet(net, config, h, `${path}.resnets.0`, channels, channels);
  x = midAttention(net, config, x, `${path}.attentions.0`, channels, kernel);
  return resnet(net, config, x, `${path}.resnets.1`, channels, channels);
}

export interface VaeBuildOptions {
  /** How the mid-block attention is built (graph/layers.ts); default 'unfused'. */
  readonly attention?: AttentionKernel;
}

export function buildVaeEncoder(weights: WeightMap, config: VaeConfig, options: VaeBuildOptions = {}): GraphBuilder {
  const g = new GraphBuilder('vae_encoder');
  const net = new Net(g, weights);
  const p = `${config.prefix}encoder.`;
  const input = g.input(VAE_ENCODER_IO.input, 'float', ['batch', config.inChannels, 'height', 'width']);
  const channels = config.blockOutChannels;
  let h = net.conv2d(input, `${p}conv_in`, { padding: 1, in: config.inChannels, out: channels[0] });
  let current = channels[0]!;
  channels.forEach((out, i) => {
    g.scope(`encoder.down_blocks.${i}`, () => {
      for (let j = 0; j < config.layersPerBlock; j++) {
        h = resnet(net, config, h, `${p}down_blocks.${i}.resnets.${j}`, current, out);
        current = out;
      }
      if (i < channels.length - 1) {
        // Downsample2D(padding=0): pad right and bottom by one, then a stride-2 3×3 conv.
        h = g.op('Pad', [h, g.constInt64([0, 0, 0, 0, 0, 0, 1, 1])]);
        h = net.conv2d(h, `${p}down_blocks.${i}.downsamplers.0.conv`, { stride: 2, in: out, out });
      }
    });
  });
  h = g.scope('encoder.mid_block', () => midBlock(net, config, h, `${p}mid_block`, current, options.attention));
  h = silu(g, net.groupNorm(h, `${p}conv_norm_out`, config.groups, config.eps, current));
  h = net.conv2d(h, `${p}conv_out`, { padding: 1, in: current, out: 2 * config.latentChannels });
  const moments = net.conv2d(h, `${config.prefix}quant_conv`, { in: 2 * config.latentChannels, out: 2 * config.latentChannels });
  const [mean, rawLogvar] = g.opMulti('Split', [moments], 2, { axis: 1, num_outputs: 2 });
  const logvar = g.op('Clip', [rawLogvar!, g.constFloat(-30), g.constFloat(20)]);
  const std = g.op('Exp', [g.op('Mul', [logvar, g.constFloat(0.5)])]);
  const latentDims = ['batch', config.latentChannels, 'latent_height', 'latent_width'];
  g.output(mean!, VAE_ENCODER_IO.mean, 'float', latentDims);
  g.output(logvar, VAE_ENCODER_IO.logvar, 'float', latentDims);
  g.output(std, VAE_ENCODER_IO.std, 'float', latentDims);
  return g;
}

export function buildVaeDecoder(weights: WeightMap, config: VaeConfig, options: VaeBuildOptions = {}): GraphBuilder {
  const g = new GraphBuilder('vae_decoder');
  const net = new Net(g, weights);
  const p = `${config.prefix}decoder.`;
  const latent = g.input(VAE_DECODER_IO.input, 'float', ['batch', config.latentChannels, 'latent_height', 'latent_width']);
  const reversed = [...config.blockOutChannels].reverse();
  let h = net.conv2d(latent, `${config.prefix}post_quant_conv`, { in: config.latentChannels, out: config.latentChannels });
  let current = reversed[0]!;
  h = net.conv2d(h, `${p}conv_in`, { padding: 1, in: config.latentChannels, out: current });
  h = g.scope('decoder.mid_block', () => midBlock(net, config, h, `${p}mid_block`, current, options.attention));
  reversed.forEach((out, i) => {
    g.scope(`decoder.up_blocks.${i}`, () => {
      for (let j = 0; j <= config.layersPerBlock; j++) {
        h = resnet(net, config, h, `${p}up_blocks.${i}.resnets.${j}`, current, out);
        current = out;
      }
      if (i < reversed.length - 1) {
        h = g.op('Resize', [h, '', g.constFloat([1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
        h = net.conv2d(h, `${p}up_blocks.${i}.upsamplers.0.conv`, { padding: 1, in: out, out });
      }
    });
  });
  h = silu(g, net.groupNorm(h, `${p}conv_norm_out`, config.groups, config.eps, current));
  h = net.conv2d(h, `${p}conv_out`, { padding: 1, in: current, out: config.outChannels });
  g.output(h, VAE_DECODER_IO.output, 'float', ['batch', config.outChannels, 'height', 'width']);
  return g;
}
