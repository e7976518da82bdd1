// Original-LDM single-file names (A1111/CompVis/SGM) → canonical names (diffusers names prefixed by component).
// The tables restate what diffusers' conversion code does (convert_ldm_unet_checkpoint, convert_ldm_vae_checkpoint,
// LDM_CLIP_PREFIX_TO_REMOVE, convert_open_clip_checkpoint); they were written here from reading it, not copied.

/** How a canonical tensor's bytes are taken from the source tensor. */
export type SourceTransform =
  | { readonly kind: 'same' }
  /** A 1×1 conv weight [C,C,1,1] presented as a linear weight [C,C]: same bytes. */
  | { readonly kind: 'squeeze-1x1' }
  /** Rows [begin, end) of the first axis (OpenCLIP's fused in_proj split into q/k/v). */
  | { readonly kind: 'rows'; readonly begin: number; readonly end: number; readonly of: number }
  /** The 2-D source is the transpose of the canonical tensor (OpenCLIP's `x @ P` text projection). */
  | { readonly kind: 'transpose' };

export interface NameMapping {
  readonly canonical: string;
  readonly transform: SourceTransform;
}

/** Facts about the whole file that single names cannot give (how many VAE decoder levels there are). */
export interface LdmContext {
  readonly vaeUpLevels: number;
  /** The last `input_hint_block` index of a ControlNet (its conv_out; lllyasviel's files have 14). */
  readonly controlHintLast: number;
}

/** Real single files carry these besides the weights; a loader drops them. */
const IGNORED_LDM = [
  /^(betas|alphas_cumprod|alphas_cumprod_prev|sqrt_alphas_cumprod|sqrt_one_minus_alphas_cumprod|log_one_minus_alphas_cumprod|sqrt_recip_alphas_cumprod|sqrt_recipm1_alphas_cumprod|posterior_variance|posterior_log_variance_clipped|posterior_mean_coef1|posterior_mean_coef2|logvar)$/,
  /^model_ema\./,
  /(^|\.)position_ids$/,
  /\.logit_scale$/,
];

export function isIgnoredLdmName(name: string): boolean {
  return IGNORED_LDM.some((pattern) => pattern.test(name));
}

// SD1.5 and SDXL both have two resnets per down level (three per up level); the LDM numbering follows from it.
const LAYERS_PER_BLOCK = 2;

const SAME: SourceTransform = { kind: 'same' };

/** LDM ResBlock parts → diffusers ResnetBlock2D parts (UNet). */
const UNET_RESNET_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['in_layers.0.', 'norm1.'],
  ['in_layers.2.', 'conv1.'],
  ['out_layers.0.', 'norm2.'],
  ['out_layers.3.', 'conv2.'],
  ['emb_layers.1.', 'time_emb_proj.'],
  ['skip_connection.', 'conv_shortcut.'],
];

/** Fixed UNet module prefixes. */
const UNET_FIXED: ReadonlyArray<readonly [string, string]> = [
  ['time_embed.0.', 'time_embedding.linear_1.'],
  ['time_embed.2.', 'time_embedding.linear_2.'],
  ['label_emb.0.0.', 'add_embedding.linear_1.'],
  ['label_emb.0.2.', 'add_embedding.linear_2.'],
  ['input_blocks.0.0.', 'conv_in.'],
  ['out.0.', 'conv_norm_out.'],
  ['out.2.', 'conv_out.'],
  ['middle_block.0.', 'mid_block.resnets.0.'],
  ['middle_block.1.', 'mid_block.attentions.0.'],
  ['middle_block.2.', 'mid_block.resnets.1.'],
];

/** VAE module parts (encoder/decoder-relative) that are the same everywhere. */
const VAE_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['mid.block_1.', 'mid_block.resnets.0.'],
  ['mid.block_2.', 'mid_block.resnets.1.'],
  ['mid.attn_1.', 'mid_block.attentions.0.'],
  ['norm_out.', 'conv_norm_out.'],
];

/** LDM VAE attention (1×1 convs) → diffusers Attention (linears). */
const VAE_ATTENTION_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['norm.', 'group_norm.'],
  ['q.', 'to_q.'],
  ['k.', 'to_k.'],
  ['v.', 'to_v.'],
  ['proj_out.', 'to_out.0.'],
];

/** OpenCLIP text tower (SDXL's second encoder) → HF CLIPTextModelWithProjection, outside the layers. */
const OPEN_CLIP_FIXED: ReadonlyArray<readonly [string, string]> = [
  ['token_embedding.weight', 'text_model.embeddings.token_embedding.weight'],
  ['positional_embedding', 'text_model.embeddings.position_embedding.weight'],
  ['ln_final.weight', 'text_model.final_layer_norm.weight'],
  ['ln_final.bias', 'text_model.final_layer_norm.bias'],
];

/** OpenCLIP residual block parts → HF CLIPEncoderLayer parts. */
const OPEN_CLIP_LAYER_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['ln_1.', 'layer_norm1.'],
  ['ln_2.', 'layer_norm2.'],
  ['mlp.c_fc.', 'mlp.fc1.'],
  ['mlp.c_proj.', 'mlp.fc2.'],
  ['attn.out_proj.', 'self_attn.out_proj.'],
];

/** Which single-file prefix holds which component. */
const COMPONENT_PREFIXES: ReadonlyArray<readonly [string, (rest: string, shape: readonly number[], context: LdmContext) => NameMapping[] | undefined]> = [
  ['model.diffusion_model.', (rest) => one('unet.', mapUnet(rest))],
  ['first_stage_model.', (rest, shape, context) => mapVae(rest, shape, context)],
  ['cond_stage_model.transformer.', (rest) => one('text_encoder.', mapHfClipText(rest))],
  ['conditioner.embedders.0.transformer.', (rest) => one('text_encoder.', mapHfClipText(rest))],
  ['conditioner.embedders.1.model.', (rest, shape) => mapOpenClip(rest, shape)],
  ['control_model.', (rest, _shape, context) => one('controlnet.', mapControlNet(rest, context))],
];

/**
 * Maps one LDM single-file tensor name to its canonical name(s). Returns [] for names a loader ignores,
 * undefined for names it does not know. One name maps to three when OpenCLIP fuses q/k/v.
 */
export function mapLdmName(name: string, shape: readonly number[], context: LdmContext): NameMapping[] | undefined {
  if (isIgnoredLdmName(name)) return [];
  for (const [prefix, map] of COMPONENT_PREFIXES) {
    if (name.startsWith(prefix)) return map(name.slice(prefix.length), shape, context);
  }
  return undefined;
}

/** Reads the facts `mapLdmName` needs from the whole name list. */
export function ldmContext(names: Iterable<string>): LdmContext {
  let maxUp = -1;
  let maxHint = -1;
  for (const name of names) {
    const match = /^first_stage_model\.decoder\.up\.(\d+)\./.exec(name);
    if (match) maxUp = Math.max(maxUp, Number(match[1]));
    const hint = /^control_model\.input_hint_block\.(\d+)\./.exec(name);
    if (hint) maxHint = Math.max(maxHint, Number(hint[1]));
  }
  return { vaeUpLevels: maxUp + 1, controlHintLast: maxHint };
}

function one(component: string, rest: string | undefined): NameMapping[] | undefined {
  return rest === undefined ? undefined : [{ canonical: component + rest, transform: SAME }];
}

function replacePrefix(name: string, table: ReadonlyArray<readonly [string, string]>): string | undefined {
  for (const [from, to] of table) if (name.startsWith(from)) return to + name.slice(from.length);
  return undefined;
}

function mapUnet(name: string): string | undefined {
  const fixed = replacePrefix(name, UNET_FIXED);
  if (fixed !== undefined) return mapResnetInside(fixed);
  const input = /^input_blocks\.(\d+)\.(\d+)\.(.+)$/.exec(name);
  if (input) {
    const index = Number(input[1]) - 1;
    const level = Math.floor(index / (LAYERS_PER_BLOCK + 1));
    const slot = index % (LAYERS_PER_BLOCK + 1);
    const rest = input[3]!;
    if (slot === LAYERS_PER_BLOCK) {
      return input[2] === '0' && rest.startsWith('op.') ? `down_blocks.${level}.downsamplers.0.conv.${rest.slice(3)}` : undefined;
    }
    if (input[2] === '0') return mapResnetInside(`down_blocks.${level}.resnets.${slot}.${rest}`);
    if (input[2] === '1') return `down_blocks.${level}.attentions.${slot}.${rest}`;
    return undefined;
  }
  const output = /^output_blocks\.(\d+)\.(\d+)\.(.+)$/.exec(name);
  if (output) {
    const index = Number(output[1]);
    const level = Math.floor(index / (LAYERS_PER_BLOCK + 1));
    const slot = index % (LAYERS_PER_BLOCK + 1);
    const rest = output[3]!;
    if (output[2] === '0') return mapResnetInside(`up_blocks.${level}.resnets.${slot}.${rest}`);
    // The upsampler follows the attention when the level has one (…2.2.conv), else the resnet (…2.1.conv).
    if (rest.startsWith('conv.')) return `up_blocks.${level}.upsamplers.0.${rest}`;
    if (output[2] === '1') return `up_blocks.${level}.attentions.${slot}.${rest}`;
    return undefined;
  }
  return undefined;
}

/**
 * lllyasviel's ControlNet (`control_model.*`): the UNet's encoder names, plus the hint encoder (convs at even indices
 * of `input_hint_block` with SiLUs between: the first is conv_in, the last conv_out, the rest `blocks.N` in order),
 * one zero conv per skip connection and the mid block's — as diffusers' ControlNet conversion maps them.
 */
function mapControlNet(name: string, context: LdmContext): string | undefined {
  const hint = /^input_hint_block\.(\d+)\.(.+)$/.exec(name);
  if (hint) {
    const index = Number(hint[1]);
    if (index % 2 !== 0) return undefined;
    const module = index === 0 ? 'conv_in' : index === context.controlHintLast ? 'conv_out' : `blocks.${index / 2 - 1}`;
    return `controlnet_cond_embedding.${module}.${hint[2]}`;
  }
  const zero = /^zero_convs\.(\d+)\.0\.(.+)$/.exec(name);
  if (zero) return `controlnet_down_blocks.${zero[1]}.${zero[2]}`;
  if (name.startsWith('middle_block_out.0.')) return `controlnet_mid_block.${name.slice('middle_block_out.0.'.length)}`;
  return mapUnet(name);
}

function mapResnetInside(name: string): string {
  const match = /^(.*\.resnets\.\d+\.)(.+)$/.exec(name);
  if (!match) return name;
  return match[1]! + (replacePrefix(match[2]!, UNET_RESNET_PARTS) ?? match[2]!);
}

function mapVae(name: string, shape: readonly number[], context: LdmContext): NameMapping[] | undefined {
  const side = /^(encoder|decoder)\.(.+)$/.exec(name);
  if (!side) {
    return /^(post_quant_conv|quant_conv)\./.test(name) ? [{ canonical: `vae.${name}`, transform: SAME }] : undefined;
  }
  const [, part, rest] = side as unknown as [string, string, string];
  let mapped = replacePrefix(rest, VAE_PARTS);
  if (mapped === undefined) {
    const level = /^(down|up)\.(\d+)\.(block\.(\d+)|downsample|upsample)\.(.+)$/.exec(rest);
    if (level) {
      const ldmLevel = Number(level[2]);
      // LDM counts decoder levels from the lowest resolution up; diffusers in the order they run.
      const block = level[1] === 'up' ? context.vaeUpLevels - 1 - ldmLevel : ldmLevel;
      const collection = level[1] === 'down' ? 'down_blocks' : 'up_blocks';
      const module = level[4] !== undefined ? `resnets.${level[4]}` : level[3] === 'downsample' ? 'downsamplers.0' : 'upsamplers.0';
      mapped = `${collection}.${block}.${module}.${level[5]}`;
    } else if (/^(conv_in|conv_out)\./.test(rest)) {
      mapped = rest;
    } else {
      return undefined;
    }
  }
  mapped = mapped.replace(/(resnets\.\d+\.)nin_shortcut\./, '$1conv_shortcut.');
  const attention = /^(.*attentions\.0\.)(.+)$/.exec(mapped);
  if (attention) {
    const inner = replacePrefix(attention[2]!, VAE_ATTENTION_PARTS);
    if (inner === undefined) return undefined;
    const isConvWeight = shape.length === 4 && shape[2] === 1 && shape[3] === 1;
    return [{ canonical: `vae.${part}.${attention[1]}${inner}`, transform: isConvWeight ? { kind: 'squeeze-1x1' } : SAME }];
  }
  return [{ canonical: `vae.${part}.${mapped}`, transform: SAME }];
}

/** HF CLIPTextModel names inside the LDM wrapper; very old files lack the `text_model.` level. */
function mapHfClipText(name: string): string {
  return name.startsWith('text_model.') ? name : `text_model.${name}`;
}

function mapOpenClip(name: string, shape: readonly number[]): NameMapping[] | undefined {
  const fixed = OPEN_CLIP_FIXED.find(([from]) => from === name);
  if (fixed) return [{ canonical: `text_encoder_2.${fixed[1]}`, transform: SAME }];
  if (name === 'text_projection') return [{ canonical: 'text_encoder_2.text_projection.weight', transform: { kind: 'transpose' } }];
  const layer = /^transformer\.resblocks\.(\d+)\.(.+)$/.exec(name);
  if (!layer) return undefined;
  const prefix = `text_encoder_2.text_model.encoder.layers.${layer[1]}.`;
  const part = layer[2]!;
  const fused = /^attn\.in_proj_(weight|bias)$/.exec(part);
  if (fused) {
    const rows = shape[0] ?? 0;
    const third = rows / 3;
    return (['q_proj', 'k_proj', 'v_proj'] as const).map((projection, i) => ({
      canonical: `${prefix}self_attn.${projection}.${fused[1]}`,
      transform: { kind: 'rows', begin: i * third, end: (i + 1) * third, of: rows } as const,
    }));
  }
  const mapped = replacePrefix(part, OPEN_CLIP_LAYER_PARTS);
  return mapped === undefined ? undefined : [{ canonical: prefix + mapped, transform: SAME }];
}
