// Architecture configs derived from a checkpoint's tensor shapes, with diffusers/transformers config.json values
// taking precedence where given. Shapes give every width; what shapes cannot tell (attention heads, activation,
// norm eps) comes from the config file or, for recognised full-size models, from the SD1.5/SDXL conventions
// (spec §6: SD1.5 UNet 8 heads per layer, SDXL head dim 64; CLIP text/vision head dim 64/80).
import { z } from 'zod';
import { StudioError } from '../../base/errors.ts';
import type { WeightMap } from '../graph/weight-map.ts';

/** A config.json as diffusers / transformers write it (only the fields we read are typed). */
export type ConfigJson = Readonly<Record<string, unknown>>;

export interface ClipTextConfig {
  /** The checkpoint component (`text_encoder`, `text_encoder_2`). */
  readonly component: string;
  readonly prefix: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly maxPositions: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediateSize: number;
  readonly eps: number;
  readonly activation: 'quick_gelu' | 'gelu';
  /** Width of `text_projection` (CLIPTextModelWithProjection), when the encoder has one. */
  readonly projectionSize?: number;
}

export interface ClipVisionConfig {
  readonly prefix: string;
  readonly hiddenSize: number;
  readonly patchSize: number;
  readonly imageSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediateSize: number;
  readonly eps: number;
  readonly activation: 'quick_gelu' | 'gelu';
}

/** One level of the UNet (down level i, or up level i in up order): its width and its transformers, if any. */
export interface UNetLevel {
  readonly channels: number;
  /** Transformer2DModels after each resnet (CrossAttn…Block2D); 0 for a plain Down/UpBlock2D. */
  readonly attentions: boolean;
  /** BasicTransformerBlocks per Transformer2DModel (SDXL: 1, 2, 10 by level; SD1.5: 1). */
  readonly transformerDepth: number;
  /** Attention heads of this level's transformers. */
  readonly heads: number;
}

/**
 * SDXL's `text_time` added conditioning: aug = add_embedding(concat(text_embeds, sinusoid(time_ids))), added to the
 * time embedding. `timeEmbedDim` sinusoid channels per time id, `textEmbedDim` the pooled text width.
 */
export interface AddedEmbeddingConfig {
  readonly type: 'text_time';
  readonly timeIds: number;
  readonly timeEmbedDim: number;
  readonly textEmbedDim: number;
}

/** UNet2DConditionModel as plain data (stored in the compiled manifest, zod-checked when read back). */
export interface UNetConfig {
  readonly prefix: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly layersPerBlock: number;
  /** Down levels, first to last. */
  readonly down: readonly UNetLevel[];
  readonly mid: Omit<UNetLevel, 'channels'>;
  /** Up levels in up order (up_blocks.0 is the deepest). */
  readonly up: readonly UNetLevel[];
  readonly crossAttentionDim: number;
  readonly useLinearProjection: boolean;
  readonly groups: number;
  readonly eps: number;
  readonly timeEmbeddingInput: number;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
  readonly addedEmbedding?: AddedEmbeddingConfig;
}

export const UNetConfigSchema = z.object({
  prefix: z.string(),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  layersPerBlock: z.number().int().positive(),
  down: z.array(z.object({ channels: z.number().int().positive(), attentions: z.boolean(), transformerDepth: z.number().int().nonnegative(), heads: z.number().int().positive() })),
  mid: z.object({ attentions: z.boolean(), transformerDepth: z.number().int().nonnegative(), heads: z.number().int().positive() }),
  up: z.array(z.object({ channels: z.number().int().positive(), attentions: z.boolean(), transformerDepth: z.number().int().nonnegative(), heads: z.number().int().positive() })),
  crossAttentionDim: z.number().int().positive(),
  useLinearProjection: z.boolean(),
  groups: z.number().int().positive(),
  eps: z.number().positive(),
  timeEmbeddingInput: z.number().int().positive(),
  flipSinToCos: z.boolean(),
  freqShift: z.number(),
  addedEmbedding: z.object({ type: z.literal('text_time'), timeIds: z.number().int().positive(), timeEmbedDim: z.number().int().positive(), textEmbedDim: z.number().int().positive() }).optional(),
}) satisfies z.ZodType<UNetConfig>;

/** The block widths, down levels first to last (diffusers' `block_out_channels`). */
export function blockOutChannels(config: Pick<UNetConfig, 'down'>): number[] {
  return config.down.map((l) => l.channels);
}

export interface VaeConfig {
  readonly prefix: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly latentChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly groups: number;
  readonly eps: number;
  readonly scalingFactor: number;
}

function num(config: ConfigJson | undefined, key: string): number | undefined {
  const value = config?.[key];
  return typeof value === 'number' ? value : undefined;
}

function str(config: ConfigJson | undefined, key: string): string | undefined {
  const value = config?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Counts `${prefix}${i}${suffix}` tensors for i = 0, 1, … until one is missing. */
function countIndexed(weights: WeightMap, prefix: string, suffix: string): number {
  let count = 0;
  while (weights.has(`${prefix}${count}${suffix}`)) count++;
  return count;
}

function needConfig(what: string, detail: string, file: string): StudioError {
  return new StudioError('compile.config-needed', {
    userMessage: `${what}: ${detail}, and no config file gives it.`,
    hint: `Give the model's ${file} as a config override (CLI: --configs <a diffusers folder of the same model>), or use the model as a diffusers folder.`,
  });
}

function activationOf(value: string | undefined, fallback: 'quick_gelu' | 'gelu' | undefined, what: string, file: string): 'quick_gelu' | 'gelu' {
  if (value === 'quick_gelu' || value === 'gelu') return value;
  if (value !== undefined) {
    throw new StudioError('checkpoint.unsupported-architecture', { userMessage: `${what}: activation "${value}" is not supported (quick_gelu or gelu).` });
  }
  if (fallback) return fallback;
  throw needConfig(what, 'the MLP activation cannot be read from the weights', file);
}

/** CLIP text encoder (HF CLIPTextModel(WithProjection) layout) of a checkpoint component (e.g. "text_encoder"). */
export function clipTextConfig(weights: WeightMap, component: string, config?: ConfigJson): ClipTextConfig {
  const prefix = `${component}.`;
  const base = `${prefix}text_model.`;
  const [vocabSize, hiddenSize] = weights.get(`${base}embeddings.token_embedding.weight`, [undefined, undefined]).shape as [number, number];
  const maxPositions = weights.get(`${base}embeddings.position_embedding.weight`, [undefined, hiddenSize]).shape[0]!;
  const layers = countIndexed(weights, `${base}encoder.layers.`, '.self_attn.q_proj.weight');
  const intermediateSize = weights.get(`${base}encoder.layers.0.mlp.fc1.weight`, [undefined, hiddenSize]).shape[0]!;
  // Known full-size encoders: CLIP ViT-L/14 (SD1.5, SDXL 1st: 768, quick_gelu), OpenCLIP ViT-H (SD2: 1024, gelu),
  // OpenCLIP bigG (SDXL 2nd: 1280, gelu); all with head dim 64.
  const known: Record<number, 'quick_gelu' | 'gelu'> = { 768: 'quick_gelu', 1024: 'gelu', 1280: 'gelu' };
  const what = `Text encoder (hidden size ${hiddenSize})`;
  const heads = num(config, 'num_attention_heads') ?? (known[hiddenSize] ? hiddenSize / 64 : undefined);
  if (heads === undefined) throw needConfig(what, 'the number of attention heads cannot be read from the weights', `${component}/config.json`);
  const projection = weights.optional(`${prefix}text_projection.weight`, [undefined, hiddenSize]);
  return {
    component,
    prefix: base,
    vocabSize,
    hiddenSize,
    maxPositions,
    layers,
    heads,
    intermediateSize,
    eps: num(config, 'layer_norm_eps') ?? 1e-5,
    activation: activationOf(str(config, 'hidden_act'), known[hiddenSize], what, `${component}/config.json`),
    ...(projection ? { projectionSize: projection.shape[0]! } : {}),
  };
}

/** CLIP vision tower (HF CLIPVisionModel layout) under `prefix` (e.g. "image_encoder."). */
export function clipVisionConfig(weights: WeightMap, prefix: string, config?: ConfigJson): ClipVisionConfig {
  const base = `${prefix}vision_model.`;
  const patch = weights.get(`${base}embeddings.patch_embedding.weight`, [undefined, 3, undefined, undefined]).shape;
  const hiddenSize = patch[0]!;
  const patchSize = patch[2]!;
  const positions = weights.get(`${base}embeddings.position_embedding.weight`, [undefined, hiddenSize]).shape[0]!;
  const side = Math.round(Math.sqrt(positions - 1));
  if (side * side !== positions - 1) {
    throw new StudioError('compile.wrong-shape', { userMessage: `Image encoder: ${positions} position embeddings is not a square grid plus a class token.` });
  }
  const layers = countIndexed(weights, `${base}encoder.layers.`, '.self_attn.q_proj.weight');
  const intermediateSize = weights.get(`${base}encoder.layers.0.mlp.fc1.weight`, [undefined, hiddenSize]).shape[0]!;
  // ViT-H/14 (FaceID-Plus): 1280 wide, 16 heads, exact GELU; ViT-L/14: 1024 wide, 16 heads, quick_gelu.
  const known: Record<number, { heads: number; activation: 'quick_gelu' | 'gelu' }> = { 1280: { heads: 16, activation: 'gelu' }, 1024: { heads: 16, activation: 'quick_gelu' } };
  const what = `Image encoder (hidden size ${hiddenSize})`;
  const heads = num(config, 'num_attention_heads') ?? known[hiddenSize]?.heads;
  if (heads === undefined) throw needConfig(what, 'the number of attention heads cannot be read from the weights', 'image_encoder/config.json');
  return {
    prefix: base,
    hiddenSize,
    patchSize,
    imageSize: side * patchSize,
    layers,
    heads,
    intermediateSize,
    eps: num(config, 'layer_norm_eps') ?? 1e-5,
    activation: activationOf(str(config, 'hidden_act'), known[hiddenSize]?.activation, what, 'image_encoder/config.json'),
  };
}

/** Per-level head counts from a diffusers config: a number for every level, or a list by down level. */
function configHeads(config: ConfigJson | undefined): number | readonly number[] | undefined {
  // diffusers' `attention_head_dim` means heads for SD1.5/SDXL (the config's historical misnomer); an explicit
  // `num_attention_heads` wins.
  for (const key of ['num_attention_heads', 'attention_head_dim']) {
    const value = config?.[key];
    if (typeof value === 'number') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
  }
  return undefined;
}

/**
 * UNet2DConditionModel (SD1.5 and SDXL families) under `prefix` (e.g. "unet."). `pooledTextWidth` is the width of
 * the pooled text embedding the added conditioning takes (SDXL: text_encoder_2's projection), when the checkpoint
 * has one: with it the time-id sinusoid width follows from the add_embedding input width.
 */
export function unetConfig(weights: WeightMap, prefix: string, config?: ConfigJson, pooledTextWidth?: number): UNetConfig {
  const encoder = encoderConfig(weights, prefix, config, pooledTextWidth, 'UNet', 'unet/config.json');
  const attentionAt = (block: string) => weights.has(`${prefix}${block}.attentions.0.proj_in.weight`);
  const depthAt = (block: string) => countIndexed(weights, `${prefix}${block}.attentions.0.transformer_blocks.`, '.attn1.to_q.weight');
  const levels = encoder.down.length;
  return {
    ...encoder,
    outChannels: weights.shape(`${prefix}conv_out.weight`)[0]!,
    // Up levels take the down levels' widths and heads reversed, as diffusers builds them.
    up: encoder.down.map((_, i) => {
      const mirror = encoder.down[levels - 1 - i]!;
      return { channels: mirror.channels, attentions: attentionAt(`up_blocks.${i}`), transformerDepth: depthAt(`up_blocks.${i}`), heads: mirror.heads };
    }),
  };
}

/** The down path, mid block and time embedding of a UNet-shaped model under `prefix` (a UNet, or a ControlNet, which
 *  has no up path); `what` and `configFile` name it in errors. */
export function encoderConfig(weights: WeightMap, prefix: string, config: ConfigJson | undefined, pooledTextWidth: number | undefined, what: string, configFile: string): Omit<UNetConfig, 'outChannels' | 'up'> {
  const convIn = weights.get(`${prefix}conv_in.weight`, [undefined, undefined, undefined, undefined]).shape;
  const levels = countIndexed(weights, `${prefix}down_blocks.`, '.resnets.0.conv1.weight');
  const widths = Array.from({ length: levels }, (_, i) => weights.shape(`${prefix}down_blocks.${i}.resnets.0.conv1.weight`)[0]!);
  const attentionAt = (block: string) => weights.has(`${prefix}${block}.attentions.0.proj_in.weight`);
  const depthAt = (block: string) => countIndexed(weights, `${prefix}${block}.attentions.0.transformer_blocks.`, '.attn1.to_q.weight');
  const firstAttention = [...Array(levels).keys()].find((i) => attentionAt(`down_blocks.${i}`));
  const attentionPrefix = firstAttention !== undefined ? `${prefix}down_blocks.${firstAttention}.attentions.0.` : `${prefix}mid_block.attentions.0.`;
  const crossAttentionDim = weights.get(`${attentionPrefix}transformer_blocks.0.attn2.to_k.weight`).shape[1]!;
  const useLinearProjection = weights.shape(`${attentionPrefix}proj_in.weight`).length === 2;

  // Heads per down level; the mid block takes the last, as diffusers builds them.
  // Without a config: SD1.5 (cross width 768) has 8 heads everywhere; SDXL (2048) and SD2 (1024) head dim 64.
  const fromConfig = configHeads(config);
  let downHeads: number[];
  if (Array.isArray(fromConfig)) {
    if (fromConfig.length !== levels) throw needConfig(`${what} (${levels} levels)`, `the config lists ${fromConfig.length} head counts`, configFile);
    downHeads = [...fromConfig];
  } else if (typeof fromConfig === 'number') {
    downHeads = widths.map(() => fromConfig);
  } else if (crossAttentionDim === 768) {
    downHeads = widths.map(() => 8);
  } else if (crossAttentionDim === 2048 || crossAttentionDim === 1024) {
    downHeads = widths.map((c) => c / 64);
  } else {
    throw needConfig(`${what} (cross-attention width ${crossAttentionDim})`, 'the number of attention heads cannot be read from the weights', configFile);
  }
  const level = (block: string, channels: number, heads: number): UNetLevel => ({ channels, attentions: attentionAt(block), transformerDepth: depthAt(block), heads });
  const timeEmbeddingInput = weights.shape(`${prefix}time_embedding.linear_1.weight`)[1]!;
  return {
    prefix,
    inChannels: convIn[1]!,
    layersPerBlock: countIndexed(weights, `${prefix}down_blocks.0.resnets.`, '.conv1.weight'),
    down: widths.map((c, i) => level(`down_blocks.${i}`, c, downHeads[i]!)),
    mid: { attentions: attentionAt('mid_block'), transformerDepth: depthAt('mid_block'), heads: downHeads[levels - 1]! },
    crossAttentionDim,
    useLinearProjection,
    groups: num(config, 'norm_num_groups') ?? 32,
    eps: num(config, 'norm_eps') ?? 1e-5,
    timeEmbeddingInput,
    flipSinToCos: config?.['flip_sin_to_cos'] === undefined ? true : config['flip_sin_to_cos'] === true,
    freqShift: num(config, 'freq_shift') ?? 0,
    ...addedEmbedding(weights, prefix, config, pooledTextWidth),
  };
}

/** SDXL's text_time conditioning from `add_embedding.linear_1` [time_embed, text + 6·timeDim]. */
function addedEmbedding(weights: WeightMap, prefix: string, config: ConfigJson | undefined, pooledTextWidth: number | undefined): { addedEmbedding?: AddedEmbeddingConfig } {
  const linear = weights.optional(`${prefix}add_embedding.linear_1.weight`);
  if (!linear) return {};
  const type = str(config, 'addition_embed_type') ?? 'text_time';
  if (type !== 'text_time') {
    throw new StudioError('checkpoint.unsupported-architecture', { userMessage: `UNet: added embedding "${type}" is not supported (text_time, as SDXL uses).` });
  }
  const timeIds = 6;
  const input = linear.shape[1]!;
  const timeEmbedDim = num(config, 'addition_time_embed_dim') ?? (pooledTextWidth !== undefined ? (input - pooledTextWidth) / timeIds : undefined);
  if (timeEmbedDim === undefined || !Number.isInteger(timeEmbedDim) || timeEmbedDim <= 0 || input - timeIds * timeEmbedDim <= 0) {
    throw needConfig('UNet added conditioning', `its ${input}-wide input cannot be split into the pooled text and 6 time ids`, 'unet/config.json');
  }
  return { addedEmbedding: { type: 'text_time', timeIds, timeEmbedDim, textEmbedDim: input - timeIds * timeEmbedDim } };
}

/** AutoencoderKL under `prefix` (e.g. "vae."). */
export function vaeConfig(weights: WeightMap, prefix: string, config: ConfigJson | undefined, defaultScalingFactor: number): VaeConfig {
  const blocks = countIndexed(weights, `${prefix}encoder.down_blocks.`, '.resnets.0.conv1.weight');
  return {
    prefix,
    inChannels: weights.get(`${prefix}encoder.conv_in.weight`, [undefined, undefined, undefined, undefined]).shape[1]!,
    outChannels: weights.get(`${prefix}decoder.conv_out.weight`, [undefined, undefined, undefined, undefined]).shape[0]!,
    latentChannels: weights.get(`${prefix}post_quant_conv.weight`, [undefined, undefined, 1, 1]).shape[0]!,
    blockOutChannels: Array.from({ length: blocks }, (_, i) => weights.shape(`${prefix}encoder.down_blocks.${i}.resnets.0.conv1.weight`)[0]!),
    layersPerBlock: countIndexed(weights, `${prefix}encoder.down_blocks.0.resnets.`, '.conv1.weight'),
    groups: num(config, 'norm_num_groups') ?? 32,
    // diffusers' Encoder/Decoder use eps 1e-6 everywhere (not configurable).
    eps: 1e-6,
    scalingFactor: num(config, 'scaling_factor') ?? defaultScalingFactor,
  };
}
