// The tensor list of an SD1.5 checkpoint in the original LDM single-file layout (model.diffusion_model.*,
// first_stage_model.*, cond_stage_model.transformer.text_model.*), for any channel widths. With the
// self-test's tiny config it has the real SD1.5 topology (3 cross-attention down levels + 1 plain, mid block
// with attention, 3 resnets per up level, GEGLU feed-forward, 1×1-conv proj_in/out) at a fraction of the size.
// Names follow the LDM openaimodel / autoencoder / HF CLIP modules.

export type TensorRole = 'weight' | 'norm' | 'bias' | 'token-embedding' | 'position-embedding';

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: TensorRole;
}

export interface TinySd15Config {
  readonly unetChannels: readonly number[];
  readonly unetLayersPerBlock: number;
  readonly attentionLevels: readonly boolean[];
  readonly contextDim: number;
  readonly vaeChannels: readonly number[];
  readonly vaeLayersPerBlock: number;
  readonly latentChannels: number;
  readonly textLayers: number;
  readonly textMlp: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
}

class SpecList {
  readonly specs: TensorSpec[] = [];
  linear(name: string, out: number, inp: number, bias = true): void {
    this.specs.push({ name: `${name}.weight`, shape: [out, inp], role: 'weight' });
    if (bias) this.specs.push({ name: `${name}.bias`, shape: [out], role: 'bias' });
  }
  conv(name: string, out: number, inp: number, kernel: number): void {
    this.specs.push({ name: `${name}.weight`, shape: [out, inp, kernel, kernel], role: 'weight' });
    this.specs.push({ name: `${name}.bias`, shape: [out], role: 'bias' });
  }
  norm(name: string, channels: number): void {
    this.specs.push({ name: `${name}.weight`, shape: [channels], role: 'norm' });
    this.specs.push({ name: `${name}.bias`, shape: [channels], role: 'bias' });
  }
}

function unetResBlock(list: SpecList, prefix: string, inChannels: number, outChannels: number, timeDim: number): void {
  list.norm(`${prefix}.in_layers.0`, inChannels);
  list.conv(`${prefix}.in_layers.2`, outChannels, inChannels, 3);
  list.linear(`${prefix}.emb_layers.1`, outChannels, timeDim);
  list.norm(`${prefix}.out_layers.0`, outChannels);
  list.conv(`${prefix}.out_layers.3`, outChannels, outChannels, 3);
  if (inChannels !== outChannels) list.conv(`${prefix}.skip_connection`, outChannels, inChannels, 1);
}

function spatialTransformer(list: SpecList, prefix: string, channels: number, contextDim: number): void {
  list.norm(`${prefix}.norm`, channels);
  list.conv(`${prefix}.proj_in`, channels, channels, 1);
  const block = `${prefix}.transformer_blocks.0`;
  for (const [attention, keyDim] of [['attn1', channels], ['attn2', contextDim]] as const) {
    list.norm(`${block}.${attention === 'attn1' ? 'norm1' : 'norm2'}`, channels);
    list.linear(`${block}.${attention}.to_q`, channels, channels, false);
    list.linear(`${block}.${attention}.to_k`, channels, keyDim, false);
    list.linear(`${block}.${attention}.to_v`, channels, keyDim, false);
    list.linear(`${block}.${attention}.to_out.0`, channels, channels);
  }
  list.norm(`${block}.norm3`, channels);
  list.linear(`${block}.ff.net.0.proj`, channels * 8, channels); // GEGLU: value and gate halves
  list.linear(`${block}.ff.net.2`, channels, channels * 4);
  list.conv(`${prefix}.proj_out`, channels, channels, 1);
}

function unetSpecs(list: SpecList, config: TinySd15Config): void {
  const p = 'model.diffusion_model';
  const base = config.unetChannels[0]!;
  const timeDim = base * 4;
  list.linear(`${p}.time_embed.0`, timeDim, base);
  list.linear(`${p}.time_embed.2`, timeDim, timeDim);
  list.conv(`${p}.input_blocks.0.0`, base, 4, 3);
  const skipChannels = [base];
  let channels = base;
  let index = 1;
  config.unetChannels.forEach((out, level) => {
    for (let i = 0; i < config.unetLayersPerBlock; i += 1) {
      unetResBlock(list, `${p}.input_blocks.${index}.0`, channels, out, timeDim);
      channels = out;
      if (config.attentionLevels[level]) spatialTransformer(list, `${p}.input_blocks.${index}.1`, channels, config.contextDim);
      skipChannels.push(channels);
      index += 1;
    }
    if (level !== config.unetChannels.length - 1) {
      list.conv(`${p}.input_blocks.${index}.0.op`, channels, channels, 3);
      skipChannels.push(channels);
      index += 1;
    }
  });
  unetResBlock(list, `${p}.middle_block.0`, channels, channels, timeDim);
  spatialTransformer(list, `${p}.middle_block.1`, channels, config.contextDim);
  unetResBlock(list, `${p}.middle_block.2`, channels, channels, timeDim);
  index = 0;
  for (let level = config.unetChannels.length - 1; level >= 0; level -= 1) {
    const out = config.unetChannels[level]!;
    for (let i = 0; i <= config.unetLayersPerBlock; i += 1) {
      unetResBlock(list, `${p}.output_blocks.${index}.0`, channels + skipChannels.pop()!, out, timeDim);
      channels = out;
      let part = 1;
      if (config.attentionLevels[level]) spatialTransformer(list, `${p}.output_blocks.${index}.${part++}`, channels, config.contextDim);
      if (level !== 0 && i === config.unetLayersPerBlock) list.conv(`${p}.output_blocks.${index}.${part}.conv`, channels, channels, 3);
      index += 1;
    }
  }
  list.norm(`${p}.out.0`, channels);
  list.conv(`${p}.out.2`, 4, channels, 3);
}

function vaeResBlock(list: SpecList, prefix: string, inChannels: number, outChannels: number): void {
  list.norm(`${prefix}.norm1`, inChannels);
  list.conv(`${prefix}.conv1`, outChannels, inChannels, 3);
  list.norm(`${prefix}.norm2`, outChannels);
  list.conv(`${prefix}.conv2`, outChannels, outChannels, 3);
  if (inChannels !== outChannels) list.conv(`${prefix}.nin_shortcut`, outChannels, inChannels, 1);
}

function vaeMid(list: SpecList, prefix: string, channels: number): void {
  vaeResBlock(list, `${prefix}.mid.block_1`, channels, channels);
  list.norm(`${prefix}.mid.attn_1.norm`, channels);
  for (const projection of ['q', 'k', 'v', 'proj_out']) list.conv(`${prefix}.mid.attn_1.${projection}`, channels, channels, 1);
  vaeResBlock(list, `${prefix}.mid.block_2`, channels, channels);
}

function vaeSpecs(list: SpecList, config: TinySd15Config): void {
  const p = 'first_stage_model';
  const widths = config.vaeChannels;
  const last = widths.length - 1;
  const z = config.latentChannels;
  list.conv(`${p}.encoder.conv_in`, widths[0]!, 3, 3);
  let channels = widths[0]!;
  widths.forEach((out, level) => {
    for (let i = 0; i < config.vaeLayersPerBlock; i += 1) {
      vaeResBlock(list, `${p}.encoder.down.${level}.block.${i}`, channels, out);
      channels = out;
    }
    if (level !== last) list.conv(`${p}.encoder.down.${level}.downsample.conv`, channels, channels, 3);
  });
  vaeMid(list, `${p}.encoder`, channels);
  list.norm(`${p}.encoder.norm_out`, channels);
  list.conv(`${p}.encoder.conv_out`, 2 * z, channels, 3);
  list.conv(`${p}.quant_conv`, 2 * z, 2 * z, 1);
  list.conv(`${p}.post_quant_conv`, z, z, 1);
  channels = widths[last]!;
  list.conv(`${p}.decoder.conv_in`, channels, z, 3);
  vaeMid(list, `${p}.decoder`, channels);
  for (let level = last; level >= 0; level -= 1) {
    const out = widths[level]!;
    for (let i = 0; i <= config.vaeLayersPerBlock; i += 1) {
      vaeResBlock(list, `${p}.decoder.up.${level}.block.${i}`, channels, out);
      channels = out;
    }
    if (level !== 0) list.conv(`${p}.decoder.up.${level}.upsample.conv`, channels, channels, 3);
  }
  list.norm(`${p}.decoder.norm_out`, channels);
  list.conv(`${p}.decoder.conv_out`, 3, channels, 3);
}

function textEncoderSpecs(list: SpecList, config: TinySd15Config): void {
  const p = 'cond_stage_model.transformer.text_model';
  const hidden = config.contextDim;
  list.specs.push({ name: `${p}.embeddings.token_embedding.weight`, shape: [config.vocabSize, hidden], role: 'token-embedding' });
  list.specs.push({ name: `${p}.embeddings.position_embedding.weight`, shape: [config.maxPositions, hidden], role: 'position-embedding' });
  for (let layer = 0; layer < config.textLayers; layer += 1) {
    const l = `${p}.encoder.layers.${layer}`;
    for (const projection of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) list.linear(`${l}.self_attn.${projection}`, hidden, hidden);
    list.norm(`${l}.layer_norm1`, hidden);
    list.linear(`${l}.mlp.fc1`, config.textMlp, hidden);
    list.linear(`${l}.mlp.fc2`, hidden, config.textMlp);
    list.norm(`${l}.layer_norm2`, hidden);
  }
  list.norm(`${p}.final_layer_norm`, hidden);
}

export function sd15CheckpointSpecs(config: TinySd15Config): TensorSpec[] {
  const list = new SpecList();
  unetSpecs(list, config);
  vaeSpecs(list, config);
  textEncoderSpecs(list, config);
  return list.specs;
}

/** Hidden width of each attention processor in diffusers' order (down, up, mid; attn1 then attn2), as IP-Adapter numbers them. */
export function attentionProcessorWidths(config: TinySd15Config): number[] {
  const widths: number[] = [];
  const levels = config.unetChannels.length;
  config.unetChannels.forEach((channels, level) => {
    if (config.attentionLevels[level]) for (let i = 0; i < config.unetLayersPerBlock * 2; i += 1) widths.push(channels);
  });
  for (let up = 0; up < levels; up += 1) {
    const level = levels - 1 - up;
    if (config.attentionLevels[level]) for (let i = 0; i < (config.unetLayersPerBlock + 1) * 2; i += 1) widths.push(config.unetChannels[level]!);
  }
  widths.push(config.unetChannels[levels - 1]!, config.unetChannels[levels - 1]!);
  return widths;
}
