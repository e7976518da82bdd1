// Facts about a UNet read from its canonical tensor names: the attention processor order that numbers
// IP-Adapter's `ip_adapter.N` keys, and the LDM name of a diffusers module (for kohya LoRAs in LDM naming).

/** Canonical module path of one attention (`unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1`). */
export type AttentionModule = string;

const ATTENTION_PATTERN = /^unet\.(down_blocks\.(\d+)|up_blocks\.(\d+)|mid_block)\.attentions\.(\d+)\.transformer_blocks\.(\d+)\.attn([12])\.to_q\.weight$/;

/**
 * The attention modules in the order of diffusers' `unet.attn_processors`: the recursive registration order of
 * UNet2DConditionModel, which registers down_blocks and up_blocks before mid_block; inside a transformer block
 * attn1 comes before attn2. So IP-Adapter's processor N is `attentionProcessorOrder(names)[N]`.
 */
export function attentionProcessorOrder(canonicalNames: Iterable<string>): AttentionModule[] {
  const found: Array<{ module: string; key: number[] }> = [];
  for (const name of canonicalNames) {
    const m = ATTENTION_PATTERN.exec(name);
    if (!m) continue;
    const section = m[2] !== undefined ? 0 : m[3] !== undefined ? 1 : 2;
    const block = Number(m[2] ?? m[3] ?? 0);
    found.push({ module: name.slice(0, -'.to_q.weight'.length), key: [section, block, Number(m[4]), Number(m[5]), Number(m[6])] });
  }
  found.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    return 0;
  });
  return found.map((f) => f.module);
}

// SD1.5 and SDXL: two resnets per down level, three per up level (see ldm-names.ts).
const LAYERS_PER_BLOCK = 2;

const RESNET_PARTS_TO_LDM: ReadonlyArray<readonly [string, string]> = [
  ['norm1.', 'in_layers.0.'],
  ['conv1.', 'in_layers.2.'],
  ['norm2.', 'out_layers.0.'],
  ['conv2.', 'out_layers.3.'],
  ['time_emb_proj.', 'emb_layers.1.'],
  ['conv_shortcut.', 'skip_connection.'],
];

const FIXED_TO_LDM: ReadonlyArray<readonly [string, string]> = [
  ['time_embedding.linear_1.', 'time_embed.0.'],
  ['time_embedding.linear_2.', 'time_embed.2.'],
  ['add_embedding.linear_1.', 'label_emb.0.0.'],
  ['add_embedding.linear_2.', 'label_emb.0.2.'],
  ['conv_in.', 'input_blocks.0.0.'],
  ['conv_norm_out.', 'out.0.'],
  ['conv_out.', 'out.2.'],
  ['mid_block.attentions.0.', 'middle_block.1.'],
];

/**
 * The LDM name (without `model.diffusion_model.`) of a canonical UNet name (without `unet.`), the inverse of
 * ldm-names' UNet table. `upLevelsWithAttention` says which up levels have attentions (the LDM index of an
 * upsampler depends on it); read it from the checkpoint's names with `upLevelsWithAttention`.
 */
export function unetNameToLdm(name: string, levelsWithAttention: ReadonlySet<number>): string | undefined {
  for (const [from, to] of FIXED_TO_LDM) if (name.startsWith(from)) return to + name.slice(from.length);
  const mid = /^mid_block\.resnets\.(\d)\.(.+)$/.exec(name);
  if (mid) return `middle_block.${mid[1] === '0' ? 0 : 2}.${resnetPart(mid[2]!)}`;
  const down = /^down_blocks\.(\d+)\.(resnets|attentions|downsamplers)\.(\d+)\.(.+)$/.exec(name);
  if (down) {
    const level = Number(down[1]);
    const slot = Number(down[3]);
    if (down[2] === 'downsamplers') return down[4]!.startsWith('conv.') ? `input_blocks.${(level + 1) * (LAYERS_PER_BLOCK + 1)}.0.op.${down[4]!.slice(5)}` : undefined;
    const index = level * (LAYERS_PER_BLOCK + 1) + slot + 1;
    return down[2] === 'resnets' ? `input_blocks.${index}.0.${resnetPart(down[4]!)}` : `input_blocks.${index}.1.${down[4]}`;
  }
  const up = /^up_blocks\.(\d+)\.(resnets|attentions|upsamplers)\.(\d+)\.(.+)$/.exec(name);
  if (up) {
    const level = Number(up[1]);
    const slot = Number(up[3]);
    if (up[2] === 'upsamplers') return `output_blocks.${level * (LAYERS_PER_BLOCK + 1) + LAYERS_PER_BLOCK}.${levelsWithAttention.has(level) ? 2 : 1}.${up[4]}`;
    const index = level * (LAYERS_PER_BLOCK + 1) + slot;
    return up[2] === 'resnets' ? `output_blocks.${index}.0.${resnetPart(up[4]!)}` : `output_blocks.${index}.1.${up[4]}`;
  }
  return undefined;
}

/** The up levels that have attentions, from canonical UNet names (with or without the `unet.` prefix). */
export function upLevelsWithAttention(canonicalNames: Iterable<string>): Set<number> {
  const levels = new Set<number>();
  for (const name of canonicalNames) {
    const m = /^(?:unet\.)?up_blocks\.(\d+)\.attentions\./.exec(name);
    if (m) levels.add(Number(m[1]));
  }
  return levels;
}

function resnetPart(rest: string): string {
  for (const [from, to] of RESNET_PARTS_TO_LDM) if (rest.startsWith(from)) return to + rest.slice(from.length);
  return rest;
}
