// Architecture configs derived from a checkpoint's tensor shapes, with diffusers/transformers config.json values
// taking precedence where given. Shapes give every width; what shapes cannot tell (attention heads, activation,
// norm eps) comes from the config file or, for recognised full-size models, from the SD1.5/SDXL conventions
// (spec §6: SD1.5 UNet 8 heads per layer, SDXL head dim 64; CLIP text/vision head dim 64/80).
import { StudioError } from '../../base/errors.ts';
import type { WeightMap } from '../graph/weight-map.ts';

/** A config.json as diffusers / transformers write it (only the fields we read are typed). */
export type ConfigJson = Readonly<Record<string, unknown>>;

export interface ClipTextConfig {
  readonly prefix: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly maxPositions: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediateSize: number;
  readonly eps: number;
  readonly activation: 'quick_gelu' | 'gelu';
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

export interface UNetConfig {
  readonly prefix: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  /** Per down block: has attentions (CrossAttnDownBlock2D). Up blocks mirror in reverse. */
  readonly downHasAttention: readonly boolean[];
  readonly upHasAttention: readonly boolean[];
  readonly midHasAttention: boolean;
  readonly transformerLayersPerBlock: number;
  readonly crossAttentionDim: number;
  /** Heads of the attention at a given channel width. */
  readonly headsAt: (channels: number) => number;
  readonly useLinearProjection: boolean;
  readonly groups: number;
  readonly eps: number;
  readonly timeEmbeddingInput: number;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
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

/** CLIP text encoder (HF CLIPTextModel layout) under `prefix` (e.g. "text_encoder."). */
export function clipTextConfig(weights: WeightMap, prefix: string, config?: ConfigJson): ClipTextConfig {
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
  if (heads === undefined) throw needConfig(what, 'the number of attention heads cannot be read from the weights', 'text_encoder/config.json');
  return {
    prefix: base,
    vocabSize,
    hiddenSize,
    maxPositions,
    layers,
    heads,
    intermediateSize,
    eps: num(config, 'layer_norm_eps') ?? 1e-5,
    activation: activationOf(str(config, 'hidden_act'), known[hiddenSize], what, 'text_encoder/config.json'),
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

/** UNet2DConditionModel (SD1.5 topology family) under `prefix` (e.g. "unet."). */
export function unetConfig(weights: WeightMap, prefix: string, config?: ConfigJson): UNetConfig {
  const convIn = weights.get(`${prefix}conv_in.weight`, [undefined, undefined, undefined, undefined]).shape;
  const blocks = countIndexed(weights, `${prefix}down_blocks.`, '.resnets.0.conv1.weight');
  const blockOutChannels = Array.from({ length: blocks }, (_, i) => weights.shape(`${prefix}down_blocks.${i}.resnets.0.conv1.weight`)[0]!);
  const downHasAttention = Array.from({ length: blocks }, (_, i) => weights.has(`${prefix}down_blocks.${i}.attentions.0.proj_in.weight`));
  const upHasAttention = Array.from({ length: blocks }, (_, i) => weights.has(`${prefix}up_blocks.${i}.attentions.0.proj_in.weight`));
  const firstAttention = downHasAttention.indexOf(true);
  const attentionPrefix = firstAttention >= 0 ? `${prefix}down_blocks.${firstAttention}.attentions.0.` : `${prefix}mid_block.attentions.0.`;
  const crossAttentionDim = weights.get(`${attentionPrefix}transformer_blocks.0.attn2.to_k.weight`).shape[1]!;
  const useLinearProjection = weights.shape(`${attentionPrefix}proj_in.weight`).length === 2;
  // Heads: diffusers' `attention_head_dim` means heads for SD1.5 (the config's historical misnomer); an explicit
  // `num_attention_heads` wins. Without a config: SD1.5 (cross dim 768) has 8 heads; SDXL (2048) and SD2 (1024) head dim 64.
  const explicitHeads = num(config, 'num_attention_heads') ?? num(config, 'attention_head_dim');
  const headListRaw = config?.['num_attention_heads'] ?? config?.['attention_head_dim'];
  const headList = Array.isArray(headListRaw) ? (headListRaw as number[]) : undefined;
  let headsAt: (channels: number) => number;
  if (headList) {
    headsAt = (channels) => headList[Math.max(0, blockOutChannels.indexOf(channels))]!;
  } else if (explicitHeads !== undefined) {
    headsAt = () => explicitHeads;
  } else if (crossAttentionDim === 768) {
    headsAt = () => 8;
  } else if (crossAttentionDim === 2048 || crossAttentionDim === 1024) {
    headsAt = (channels) => channels / 64;
  } else {
    throw needConfig(`UNet (cross-attention width ${crossAttentionDim})`, 'the number of attention heads cannot be read from the weights', 'unet/config.json');
  }
  return {
    prefix,
    inChannels: convIn[1]!,
    outChannels: weights.shape(`${prefix}conv_out.weight`)[0]!,
    blockOutChannels,
    layersPerBlock: countIndexed(weights, `${prefix}down_blocks.0.resnets.`, '.conv1.weight'),
    downHasAttention,
    upHasAttention,
    midHasAttention: weights.has(`${prefix}mid_block.attentions.0.proj_in.weight`),
    transformerLayersPerBlock: countIndexed(weights, `${attentionPrefix}transformer_blocks.`, '.attn1.to_q.weight'),
    crossAttentionDim,
    headsAt,
    useLinearProjection,
    groups: num(config, 'norm_num_groups') ?? 32,
    eps: num(config, 'norm_eps') ?? 1e-5,
    timeEmbeddingInput: weights.shape(`${prefix}time_embedding.linear_1.weight`)[1]!,
    flipSinToCos: config?.['flip_sin_to_cos'] === undefined ? true : config['flip_sin_to_cos'] === true,
    freqShift: num(config, 'freq_shift') ?? 0,
  };
}

/** AutoencoderKL under `prefix` (e.g. "vae."). */
export function vaeConfig(weights: WeightMap, prefix: string, config?: ConfigJson): VaeConfig {
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
    scalingFactor: num(config, 'scaling_factor') ?? 0.18215,
  };
}
