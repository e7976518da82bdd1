// UNet2DConditionModel (SD1.5 and SDXL families) → ONNX, with optional decoupled IP-Adapter cross-attention, LoRA
// and ControlNet residuals.
//
// Inputs:  sample float [batch, in_ch, height, width]; timestep float [1] or [batch];
//          encoder_hidden_states float [batch, text_tokens, cross_dim];
//          with SDXL's added conditioning: text_embeds float [batch, pooled] and time_ids float [batch, 6];
//          with an adapter: ip_tokens float [batch, ip_tokens, cross_dim] (dynamic: Portrait concatenates references)
//          and ip_scale float [cross_attention_layers] (one λ per attn2, in processor order; see attentionProcessors);
//          with LoRAs: lora_strengths float [loras];
//          with control residuals: down_residual_K float (one per skip connection, K in push order; see
//          skipChannels) and mid_residual float, added as diffusers adds ControlNet outputs;
//          with adapter features: adapter_feature_K float (one per down level), added as diffusers adds T2I-Adapter features.
// Output:  out_sample float [batch, out_ch, height, width] (eps).
// Decoupled attention (spec §6.2, tencent IPAttnProcessor): o = MHA(q, K_text, V_text) + λ·MHA(q, c·W_kipᵀ, c·W_vipᵀ),
// then to_out; softmax in fp32, no mask. A UNet compiled without an adapter has no IP inputs and no IP cost.
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { attention, gelu, Net, silu } from '../graph/layers.ts';
import type { LoraSet } from '../graph/lora.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import { blockOutChannels, type UNetConfig } from './config.ts';

export const UNET_INPUTS = {
  sample: 'sample',
  timestep: 'timestep',
  text: 'encoder_hidden_states',
  textEmbeds: 'text_embeds',
  timeIds: 'time_ids',
  ipTokens: 'ip_tokens',
  ipScale: 'ip_scale',
  midResidual: 'mid_residual',
} as const;
/** The T2I-Adapter feature input for down level `k`. */
export const adapterFeatureInput = (k: number): string => `adapter_feature_${k}`;

/** T2I-Adapters (full_adapter and full_adapter_xl) give four features. */
const T2I_FEATURE_COUNT = 4;

/**
 * Where each T2I-Adapter feature is added, as diffusers' UNet pops down_intrablock_additional_residuals: one per down
 * level — for a cross-attention level after its last resnet + attention (before the downsampler), for a plain level
 * after the whole block, downsampler included — each also into the skip that tensor is (diffusers adds in place);
 * features left over (T2I-Adapter-XL's fourth, for SDXL's three levels) go after the mid block. The sites as indices
 * into the skips (skipChannels' order), or 'mid'.
 */
export function adapterFeatureSites(config: EncoderConfig): (number | 'mid')[] {
  const sites: (number | 'mid')[] = [];
  let k = 0;
  config.down.forEach((level, i) => {
    k += config.layersPerBlock;
    const hasDownsampler = i < config.down.length - 1;
    sites.push(!level.attentions && hasDownsampler ? k + 1 : k);
    if (hasDownsampler) k += 1;
  });
  while (sites.length < T2I_FEATURE_COUNT) sites.push('mid');
  return sites;
}
/** The control residual input for skip connection `k`. */
export const downResidualInput = (k: number): string => `down_residual_${k}`;
export const UNET_OUTPUT = 'out_sample';

/** An attention module of the UNet, in diffusers' `attn_processors` order (the IP-Adapter `ip_adapter.N` numbering). */
export interface AttentionProcessor {
  /** N of `ip_adapter.N.*`. */
  readonly index: number;
  /** Module path without the component prefix, e.g. "down_blocks.0.attentions.0.transformer_blocks.0.attn2". */
  readonly path: string;
  readonly cross: boolean;
  readonly channels: number;
}

/** Every attn1/attn2 in processor order: down blocks, up blocks, then the mid block (spec §6.4). */
export function attentionProcessors(config: UNetConfig): AttentionProcessor[] {
  const list: { path: string; channels: number }[] = [];
  const addTransformer = (base: string, channels: number, depth: number) => {
    for (let t = 0; t < depth; t++) {
      for (const attn of ['attn1', 'attn2']) list.push({ path: `${base}.transformer_blocks.${t}.${attn}`, channels });
    }
  };
  config.down.forEach((level, i) => {
    if (!level.attentions) return;
    for (let j = 0; j < config.layersPerBlock; j++) addTransformer(`down_blocks.${i}.attentions.${j}`, level.channels, level.transformerDepth);
  });
  config.up.forEach((level, i) => {
    if (!level.attentions) return;
    for (let j = 0; j <= config.layersPerBlock; j++) addTransformer(`up_blocks.${i}.attentions.${j}`, level.channels, level.transformerDepth);
  });
  if (config.mid.attentions) addTransformer('mid_block.attentions.0', config.down[config.down.length - 1]!.channels, config.mid.transformerDepth);
  return list.map((p, index) => ({ index, path: p.path, cross: p.path.endsWith('attn2'), channels: p.channels }));
}

/** Channels of each skip connection in the order the down path pushes them (conv_in, resnets, downsamplers). */
export function skipChannels(config: EncoderConfig): number[] {
  const channels = [config.down[0]!.channels];
  config.down.forEach((level, i) => {
    for (let j = 0; j < config.layersPerBlock; j++) channels.push(level.channels);
    if (i < config.down.length - 1) channels.push(level.channels);
  });
  return channels;
}

/** The IP-Adapter weights a UNet graph needs: `to_k_ip`/`to_v_ip` per cross-attention, keyed by processor path. */
export interface IpAttentionWeights {
  readonly weights: WeightMap;
  /** Processor path → tensor name prefix (e.g. "ip_adapter.1"). */
  readonly prefixOf: (path: string) => string;
}

export interface UNetBuildOptions {
  readonly ip?: IpAttentionWeights;
  readonly loras?: LoraSet;
  /** Adds the ControlNet residual inputs (one per skip connection, and the mid block's). */
  readonly controlResiduals?: boolean;
  /** Adds a T2I-Adapter feature input per down level (diffusers' down_intrablock_additional_residuals). */
  readonly adapterFeatures?: boolean;
  /** Attention as onnxruntime's fused op (GraphBuilder.fusedAttention). */
  readonly fusedAttention?: boolean;
}

/** What the down path and mid block need of a config: a UNet's, or a ControlNet's (which has no up path). */
export type EncoderConfig = Omit<UNetConfig, 'outChannels' | 'up'>;

export interface UNetContext {
  readonly net: Net;
  readonly config: EncoderConfig;
  readonly text: Value;
  readonly temb: Value;
  readonly ip?: { tokens: Value; scales: Value; net: Net; prefixOf: (path: string) => string; indexOf: Map<string, number> };
}

export function buildUNet(weights: WeightMap, config: UNetConfig, options: UNetBuildOptions = {}): GraphBuilder {
  const g = new GraphBuilder('unet', { fusedAttention: options.fusedAttention ?? false });
  const net = new Net(g, weights, options.loras);
  const p = config.prefix;
  const widths = blockOutChannels(config);
  const sample = g.input(UNET_INPUTS.sample, 'float', ['batch', config.inChannels, 'height', 'width']);
  const timestep = g.input(UNET_INPUTS.timestep, 'float', ['timestep_batch']);
  const text = g.input(UNET_INPUTS.text, 'float', ['batch', 'text_tokens', config.crossAttentionDim]);
  const added = config.addedEmbedding
    ? { textEmbeds: g.input(UNET_INPUTS.textEmbeds, 'float', ['batch', config.addedEmbedding.textEmbedDim]), timeIds: g.input(UNET_INPUTS.timeIds, 'float', ['batch', config.addedEmbedding.timeIds]) }
    : undefined;
  let ip: UNetContext['ip'];
  if (options.ip) {
    const crossLayers = attentionProcessors(config).filter((a) => a.cross);
    const tokens = g.input(UNET_INPUTS.ipTokens, 'float', ['batch', 'ip_tokens', config.crossAttentionDim]);
    const scales = g.input(UNET_INPUTS.ipScale, 'float', [crossLayers.length]);
    ip = { tokens, scales, net: new Net(g, options.ip.weights), prefixOf: options.ip.prefixOf, indexOf: new Map(crossLayers.map((a, i) => [a.path, i])) };
  }
  if (options.loras?.touches(p)) options.loras.declareInput(g);
  const residuals = options.controlResiduals
    ? {
        down: skipChannels(config).map((c, k) => g.input(downResidualInput(k), 'float', ['batch', c, `residual_${k}_height`, `residual_${k}_width`])),
        mid: g.input(UNET_INPUTS.midResidual, 'float', ['batch', widths[widths.length - 1]!, 'mid_height', 'mid_width']),
      }
    : undefined;

  const ctx: UNetContext = { net, config, text, temb: timeEmbeddingOf(net, config, sample, timestep, added), ...(ip ? { ip } : {}) };
  const featureChannels = skipChannels(config);
  const features = options.adapterFeatures
    ? adapterFeatureSites(config).map((site, k) => g.input(adapterFeatureInput(k), 'float', ['batch', site === 'mid' ? widths[widths.length - 1]! : featureChannels[site]!, `feature_${k}_height`, `feature_${k}_width`]))
    : undefined;
  const stem = net.conv2d(sample, `${p}conv_in`, { padding: 1, in: config.inChannels, out: widths[0] });
  const encoded = downAndMid(ctx, stem, features);
  const skips = residuals ? encoded.skips.map((skip, k) => g.op('Add', [skip, residuals.down[k]!])) : encoded.skips;
  let h = residuals ? g.op('Add', [encoded.mid, residuals.mid]) : encoded.mid;
  let channels = widths[widths.length - 1]!;
  const levels = config.down.length;

  config.up.forEach((level, i) => {
    const out = level.channels;
    g.scope(`up_blocks.${i}`, () => {
      for (let j = 0; j <= config.layersPerBlock; j++) {
        const skip = skips.pop()!;
        const skipChannels = j === config.layersPerBlock ? widths[Math.max(0, levels - 2 - i)]! : out;
        h = g.op('Concat', [h, skip], { axis: 1 });
        h = resnet(ctx, h, `${p}up_blocks.${i}.resnets.${j}`, channels + skipChannels, out);
        channels = out;
        if (level.attentions) h = transformer(ctx, h, `up_blocks.${i}.attentions.${j}`, out, level.transformerDepth, level.heads);
      }
      if (i < levels - 1) {
        // Nearest ×2 to the skip's exact size (diffusers' upsample_size for sizes that are not multiples of 8).
        const target = skips[skips.length - 1]!;
        const size = g.op('Concat', [
          g.op('Slice', [g.op('Shape', [h]), g.constInt64([0]), g.constInt64([2])]),
          g.op('Slice', [g.op('Shape', [target]), g.constInt64([2]), g.constInt64([4])]),
        ], { axis: 0 });
        h = g.op('Resize', [h, '', '', size], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
        h = net.conv2d(h, `${p}up_blocks.${i}.upsamplers.0.conv`, { padding: 1, in: out, out });
      }
    });
  });

  h = net.groupNorm(h, `${p}conv_norm_out`, config.groups, config.eps, channels);
  h = net.conv2d(silu(g, h), `${p}conv_out`, { padding: 1, in: channels, out: config.outChannels });
  g.output(h, UNET_OUTPUT, 'float', ['batch', config.outChannels, 'height', 'width']);
  return g;
}

/** The time embedding for each sample (plus SDXL's text_time embedding): what every resnet adds. */
export function timeEmbeddingOf(net: Net, config: EncoderConfig, sample: Value, timestep: Value, added: { textEmbeds: Value; timeIds: Value } | undefined): Value {
  const { g } = net;
  const batch = g.op('Slice', [g.op('Shape', [sample]), g.constInt64([0]), g.constInt64([1])]);
  return g.scope('time_embedding', () => {
    const t = timeEmbedding(net, config, g.op('Expand', [timestep, batch]));
    return added ? g.op('Add', [t, addedTimeTextEmbedding(net, config, added.textEmbeds, added.timeIds)]) : t;
  });
}

/** The down path from the stem (conv_in's output, plus a ControlNet's hint) and the mid block: the skip tensors in
 *  push order (skipChannels) and the mid block's output. Shared by the UNet and the ControlNet. `intrablock`: the
 *  T2I-Adapter features, added at adapterFeatureSites (into the skip there too), as diffusers adds
 *  down_intrablock_additional_residuals. */
export function downAndMid(ctx: UNetContext, stem: Value, intrablock?: readonly Value[]): { skips: Value[]; mid: Value } {
  const { net, config } = ctx;
  const { g } = net;
  const p = config.prefix;
  const widths = blockOutChannels(config);
  let h = stem;
  const skips: Value[] = [h];
  const levels = config.down.length;
  let channels = widths[0]!;
  const sites = intrablock ? adapterFeatureSites(config) : [];
  // The feature added where the skip about to be pushed is (it is that skip, as diffusers adds in place).
  const withFeature = (value: Value, skip: number | 'mid'): Value => {
    const k = sites.indexOf(skip);
    return k < 0 ? value : g.op('Add', [value, intrablock![k]!]);
  };
  config.down.forEach((level, i) => {
    const out = level.channels;
    g.scope(`down_blocks.${i}`, () => {
      for (let j = 0; j < config.layersPerBlock; j++) {
        h = resnet(ctx, h, `${p}down_blocks.${i}.resnets.${j}`, channels, out);
        channels = out;
        if (level.attentions) h = transformer(ctx, h, `down_blocks.${i}.attentions.${j}`, out, level.transformerDepth, level.heads);
        h = withFeature(h, skips.length);
        skips.push(h);
      }
      if (i < levels - 1) {
        h = withFeature(net.conv2d(h, `${p}down_blocks.${i}.downsamplers.0.conv`, { stride: 2, padding: 1, in: out, out }), skips.length);
        skips.push(h);
      }
    });
  });
  const top = widths[levels - 1]!;
  g.scope('mid_block', () => {
    h = resnet(ctx, h, `${p}mid_block.resnets.0`, top, top);
    if (config.mid.attentions) h = transformer(ctx, h, 'mid_block.attentions.0', top, config.mid.transformerDepth, config.mid.heads);
    h = resnet(ctx, h, `${p}mid_block.resnets.1`, top, top);
  });
  return { skips, mid: withFeature(h, 'mid') };
}

/** diffusers get_timestep_embedding of `values` [n] → [n, dim] (fp32 frequencies, as diffusers computes them). */
function sinusoid(g: GraphBuilder, values: Value, dim: number, flipSinToCos: boolean, freqShift: number): Value {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.fround(Math.exp(Math.fround((-Math.log(10000) * i) / (half - freqShift)))));
  const args = g.op('Mul', [g.op('Unsqueeze', [values, g.constInt64([1])]), g.constFloat(freqs, [1, half])]);
  const [first, second] = flipSinToCos ? [g.op('Cos', [args]), g.op('Sin', [args])] : [g.op('Sin', [args]), g.op('Cos', [args])];
  return g.op('Concat', [first, second], { axis: 1 });
}

/** SDXL text_time: add_embedding(concat(text_embeds, sinusoid(time_ids) as [B, 6·d])). */
function addedTimeTextEmbedding(net: Net, config: EncoderConfig, textEmbeds: Value, timeIds: Value): Value {
  const { g } = net;
  const added = config.addedEmbedding!;
  const flat = g.op('Reshape', [timeIds, g.constInt64([-1])]);
  const waves = sinusoid(g, flat, added.timeEmbedDim, config.flipSinToCos, config.freqShift);
  const perSample = g.op('Reshape', [waves, g.constInt64([-1, added.timeIds * added.timeEmbedDim])]);
  const input = g.op('Concat', [textEmbeds, perSample], { axis: 1 });
  const h = net.linear(input, `${config.prefix}add_embedding.linear_1`, { in: added.textEmbedDim + added.timeIds * added.timeEmbedDim });
  return net.linear(silu(g, h), `${config.prefix}add_embedding.linear_2`);
}

/** Sinusoidal embedding of the timestep → linear_1 → SiLU → linear_2. */
function timeEmbedding(net: Net, config: EncoderConfig, timesteps: Value): Value {
  const emb = sinusoid(net.g, timesteps, config.timeEmbeddingInput, config.flipSinToCos, config.freqShift);
  const p = config.prefix;
  const h = net.linear(emb, `${p}time_embedding.linear_1`, { in: config.timeEmbeddingInput });
  return net.linear(silu(net.g, h), `${p}time_embedding.linear_2`);
}

/** ResnetBlock2D: GN → SiLU → conv1 → +temb → GN → SiLU → conv2, plus (1×1 conv) shortcut. */
function resnet(ctx: UNetContext, x: Value, path: string, inChannels: number, outChannels: number): Value {
  const { net, config } = ctx;
  const { g } = net;
  let h = silu(g, net.groupNorm(x, `${path}.norm1`, config.groups, config.eps, inChannels));
  h = net.conv2d(h, `${path}.conv1`, { padding: 1, in: inChannels, out: outChannels });
  const t = net.linear(silu(g, ctx.temb), `${path}.time_emb_proj`, { out: outChannels });
  h = g.op('Add', [h, g.op('Unsqueeze', [t, g.constInt64([2, 3])])]);
  h = silu(g, net.groupNorm(h, `${path}.norm2`, config.groups, config.eps, outChannels));
  h = net.conv2d(h, `${path}.conv2`, { padding: 1, in: outChannels, out: outChannels });
  const shortcut = inChannels === outChannels ? x : net.conv2d(x, `${path}.conv_shortcut`, { in: inChannels, out: outChannels });
  return g.op('Add', [shortcut, h]);
}

/** Transformer2DModel: GN(eps 1e-6) → proj_in → BasicTransformerBlocks on [B, HW, C] → proj_out → + residual. */
function transformer(ctx: UNetContext, x: Value, path: string, channels: number, depth: number, heads: number): Value {
  const { net, config } = ctx;
  const { g } = net;
  const p = `${config.prefix}${path}`;
  return g.scope(path, () => {
    const shape = g.op('Shape', [x]);
    let h = net.groupNorm(x, `${p}.norm`, config.groups, 1e-6, channels);
    const toTokens = (v: Value) => g.op('Reshape', [g.op('Transpose', [v], { perm: [0, 2, 3, 1] }), g.constInt64([0, -1, channels])]);
    if (config.useLinearProjection) {
      h = net.linear(toTokens(h), `${p}.proj_in`, { in: channels, out: channels });
    } else {
      h = toTokens(net.conv2d(h, `${p}.proj_in`, { in: channels, out: channels }));
    }
    for (let t = 0; t < depth; t++) h = basicTransformerBlock(ctx, h, `${path}.transformer_blocks.${t}`, channels, heads);
    const spatial = g.op('Concat', [
      g.op('Slice', [shape, g.constInt64([0]), g.constInt64([1])]),
      g.op('Slice', [shape, g.constInt64([2]), g.constInt64([4])]),
      g.constInt64([channels]),
    ], { axis: 0 });
    const toImage = (v: Value) => g.op('Transpose', [g.op('Reshape', [v, spatial])], { perm: [0, 3, 1, 2] });
    h = config.useLinearProjection
      ? toImage(net.linear(h, `${p}.proj_out`, { in: channels, out: channels }))
      : net.conv2d(toImage(h), `${p}.proj_out`, { in: channels, out: channels });
    return g.op('Add', [h, x]);
  });
}

/** BasicTransformerBlock: self-attention, cross-attention (+ IP branch), GEGLU feed-forward, each pre-LN + residual. */
function basicTransformerBlock(ctx: UNetContext, x: Value, path: string, channels: number, heads: number): Value {
  const { net, config } = ctx;
  const { g } = net;
  const p = `${config.prefix}${path}`;
  let h = x;
  const n1 = net.layerNorm(h, `${p}.norm1`, 1e-5, channels);
  h = g.op('Add', [h, selfAttention(net, n1, `${p}.attn1`, channels, heads)]);
  const n2 = net.layerNorm(h, `${p}.norm2`, 1e-5, channels);
  h = g.op('Add', [h, crossAttention(ctx, n2, path, channels, heads)]);
  const n3 = net.layerNorm(h, `${p}.norm3`, 1e-5, channels);
  const proj = net.linear(n3, `${p}.ff.net.0.proj`, { in: channels });
  const [value, gate] = g.opMulti('Split', [proj], 2, { axis: -1, num_outputs: 2 });
  const ff = net.linear(g.op('Mul', [value!, gelu(g, gate!)]), `${p}.ff.net.2`, { out: channels });
  return g.op('Add', [h, ff]);
}

function selfAttention(net: Net, x: Value, path: string, channels: number, heads: number): Value {
  const q = net.linear(x, `${path}.to_q`, { in: channels, out: channels, bias: false });
  const k = net.linear(x, `${path}.to_k`, { in: channels, out: channels, bias: false });
  const v = net.linear(x, `${path}.to_v`, { in: channels, out: channels, bias: false });
  return net.linear(attention(net.g, q, k, v, heads, channels), `${path}.to_out.0`, { in: channels, out: channels });
}

function crossAttention(ctx: UNetContext, x: Value, path: string, channels: number, heads: number): Value {
  const { net, config } = ctx;
  const { g } = net;
  const p = `${config.prefix}${path}.attn2`;
  const cross = config.crossAttentionDim;
  const q = net.linear(x, `${p}.to_q`, { in: channels, out: channels, bias: false });
  const k = net.linear(ctx.text, `${p}.to_k`, { in: cross, out: channels, bias: false });
  const v = net.linear(ctx.text, `${p}.to_v`, { in: cross, out: channels, bias: false });
  // Decoupled: text attention plus λ · attention over the IP tokens with the same query (both merged [B, N, C]).
  let o = attention(g, q, k, v, heads, channels);
  if (ctx.ip) {
    const prefix = ctx.ip.prefixOf(`${path}.attn2`);
    const kIp = ctx.ip.net.linear(ctx.ip.tokens, `${prefix}.to_k_ip`, { in: cross, out: channels, bias: false });
    const vIp = ctx.ip.net.linear(ctx.ip.tokens, `${prefix}.to_v_ip`, { in: cross, out: channels, bias: false });
    const ipOut = attention(g, q, kIp, vIp, heads, channels);
    const scale = g.op('Gather', [ctx.ip.scales, g.constInt64(ctx.ip.indexOf.get(`${path}.attn2`)!)], { axis: 0 });
    o = g.op('Add', [o, g.op('Mul', [ipOut, scale])]);
  }
  return net.linear(o, `${p}.to_out.0`, { in: channels, out: channels });
}
