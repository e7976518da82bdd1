// ControlNetModel (diffusers v0.27 semantics) → ONNX: the UNet's time embedding, down path and mid block (shared
// builders in unet.ts, the ControlNet's own weights), the control image through the hint encoder added to conv_in's
// output, and a 1×1 "zero conv" on every skip connection and on the mid block's output, all × conditioning_scale.
//
// Inputs:  sample float [batch, 4, h, w]; timestep float [1] or [batch]; encoder_hidden_states float [batch, tokens, cross]
//          (the text only: IP tokens go to the UNet, as diffusers and ComfyUI feed a ControlNet);
//          controlnet_cond float [batch, c, 8h, 8w] in [0, 1]; conditioning_scale float [1];
//          an SDXL ControlNet (from_unet of SDXL's UNet) also text_embeds float [batch, pooled] and time_ids float [batch, 6].
// Outputs: down_res_K float (K in the UNet's skip order) and mid_res float: what the UNet's residual inputs take.
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { Net, silu } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import { blockOutChannels, encoderConfig, type ConfigJson } from './config.ts';
import { downAndMid, skipChannels, timeEmbeddingOf, UNET_INPUTS, type EncoderConfig } from './unet.ts';

export const CONTROLNET_INPUTS = { ...UNET_INPUTS, image: 'controlnet_cond', scale: 'conditioning_scale' } as const;
export const controlDownOutput = (k: number): string => `down_res_${k}`;
export const CONTROL_MID_OUTPUT = 'mid_res';

export interface ControlNetConfig extends EncoderConfig {
  /** The control image's channels (3: RGB). */
  readonly imageChannels: number;
  /** Hint encoder widths: conv_in's, then each stride-2 block's (diffusers' conditioning_embedding_out_channels). */
  readonly hintChannels: readonly number[];
}

/** SDXL's added embedding input: the pooled text (OpenCLIP bigG's projection, 1280) and 6 time ids × 256. */
const SDXL_ADDED_INPUT = 2816;
const SDXL_POOLED_TEXT_WIDTH = 1280;

/** The ControlNet under `prefix` (e.g. "controlnet."); heads from `config` where the widths cannot tell them. */
export function controlNetConfig(weights: WeightMap, prefix: string, config?: ConfigJson): ControlNetConfig {
  const hint = `${prefix}controlnet_cond_embedding.`;
  const convIn = weights.shape(`${hint}conv_in.weight`);
  const blocks: number[] = [];
  while (weights.has(`${hint}blocks.${blocks.length}.weight`)) blocks.push(weights.shape(`${hint}blocks.${blocks.length}.weight`)[0]!);
  // Blocks come in pairs (same width, then stride 2 to the next): the hint widths are conv_in's and every second block's.
  const hintChannels = [convIn[0]!, ...blocks.filter((_, i) => i % 2 === 1)];
  // Without a config, a full-size SDXL ControlNet's added embedding splits as SDXL's UNet's does.
  const addedInput = weights.optional(`${prefix}add_embedding.linear_1.weight`)?.shape[1];
  const pooledTextWidth = addedInput === SDXL_ADDED_INPUT ? SDXL_POOLED_TEXT_WIDTH : undefined;
  return { ...encoderConfig(weights, prefix, config, pooledTextWidth, 'ControlNet', 'controlnet/config.json'), imageChannels: convIn[1]!, hintChannels };
}

/** ControlNetConditioningEmbedding: conv_in → SiLU → (conv → SiLU, stride-2 conv → SiLU)… → conv_out. */
function hintEncoder(net: Net, config: ControlNetConfig, image: Value): Value {
  const p = `${config.prefix}controlnet_cond_embedding.`;
  let h = silu(net.g, net.conv2d(image, `${p}conv_in`, { padding: 1, in: config.imageChannels, out: config.hintChannels[0] }));
  for (let i = 0; i < config.hintChannels.length - 1; i++) {
    const [from, to] = [config.hintChannels[i]!, config.hintChannels[i + 1]!];
    h = silu(net.g, net.conv2d(h, `${p}blocks.${2 * i}`, { padding: 1, in: from, out: from }));
    h = silu(net.g, net.conv2d(h, `${p}blocks.${2 * i + 1}`, { padding: 1, stride: 2, in: from, out: to }));
  }
  return net.conv2d(h, `${p}conv_out`, { padding: 1, in: config.hintChannels[config.hintChannels.length - 1], out: blockOutChannels(config)[0] });
}

export function buildControlNet(weights: WeightMap, config: ControlNetConfig, options: { readonly fusedAttention?: boolean } = {}): GraphBuilder {
  const g = new GraphBuilder('controlnet', options);
  const net = new Net(g, weights);
  const p = config.prefix;
  const widths = blockOutChannels(config);
  const sample = g.input(CONTROLNET_INPUTS.sample, 'float', ['batch', config.inChannels, 'height', 'width']);
  const timestep = g.input(CONTROLNET_INPUTS.timestep, 'float', ['timestep_batch']);
  const text = g.input(CONTROLNET_INPUTS.text, 'float', ['batch', 'text_tokens', config.crossAttentionDim]);
  const image = g.input(CONTROLNET_INPUTS.image, 'float', ['batch', config.imageChannels, 'image_height', 'image_width']);
  const scale = g.input(CONTROLNET_INPUTS.scale, 'float', [1]);
  const added = config.addedEmbedding
    ? { textEmbeds: g.input(CONTROLNET_INPUTS.textEmbeds, 'float', ['batch', config.addedEmbedding.textEmbedDim]), timeIds: g.input(CONTROLNET_INPUTS.timeIds, 'float', ['batch', config.addedEmbedding.timeIds]) }
    : undefined;

  const temb = timeEmbeddingOf(net, config, sample, timestep, added);
  const stem = g.op('Add', [net.conv2d(sample, `${p}conv_in`, { padding: 1, in: config.inChannels, out: widths[0] }), g.scope('controlnet_cond_embedding', () => hintEncoder(net, config, image))]);
  const { skips, mid } = downAndMid({ net, config, text, temb }, stem);

  const channels = skipChannels(config);
  skips.forEach((skip, k) => {
    const residual = net.conv2d(skip, `${p}controlnet_down_blocks.${k}`, { in: channels[k], out: channels[k] });
    g.output(g.op('Mul', [residual, scale]), controlDownOutput(k), 'float', ['batch', channels[k]!, `res_${k}_height`, `res_${k}_width`]);
  });
  const top = widths[widths.length - 1]!;
  g.output(g.op('Mul', [net.conv2d(mid, `${p}controlnet_mid_block`, { in: top, out: top }), scale]), CONTROL_MID_OUTPUT, 'float', ['batch', top, 'mid_height', 'mid_width']);
  return g;
}
