// Name layouts beyond the fixtures' own: old diffusers VAE names, OpenCLIP's fused and transposed tensors,
// kohya LoRAs in LDM naming and for the text encoder.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { renameSafetensors, writeSafetensors } from '../../../test/helpers/safetensors-writer.ts';
import { canonicalFromLdm, openCheckpoint } from './checkpoint.ts';
import { isContiguous, readTensorBytes, readTensorFloat32 } from './descriptors.ts';
import { openLora } from './lora.ts';
import { readSafetensors } from './safetensors.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-layouts-'));
const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

test('a diffusers folder with old VAE attention names (query/key/value/proj_attn) and stored position_ids opens the same', async () => {
  const folder = path.join(scratch, 'old-diffusers');
  cpSync(fixture('sd15-tiny'), folder, { recursive: true });
  const old: Record<string, string> = { to_q: 'query', to_k: 'key', to_v: 'value', 'to_out.0': 'proj_attn' };
  renameSafetensors(fixture('sd15-tiny', 'vae', 'diffusion_pytorch_model.safetensors'), path.join(folder, 'vae', 'diffusion_pytorch_model.safetensors'), (n) =>
    n.replace(/\.attentions\.0\.(to_q|to_k|to_v|to_out\.0)\./, (_, p: string) => `.attentions.0.${old[p]}.`),
  );
  const positionIds = new Uint8Array(new BigInt64Array(Array.from({ length: 77 }, (_, i) => BigInt(i))).buffer);
  renameSafetensors(fixture('sd15-tiny', 'text_encoder', 'model.safetensors'), path.join(folder, 'text_encoder', 'model.safetensors'), (n) => n, [
    { name: 'text_model.embeddings.position_ids', dtype: 'I64', shape: [1, 77], data: positionIds },
  ]);
  const reference = await openCheckpoint(fixture('sd15-tiny'));
  const migrated = await openCheckpoint(folder);
  assert.deepEqual([...migrated.tensors.keys()].sort(), [...reference.tensors.keys()].sort());
  const q = migrated.tensors.get('vae.decoder.mid_block.attentions.0.to_q.weight')!;
  assert.ok(Buffer.from(await readTensorBytes(q)).equals(Buffer.from(await readTensorBytes(reference.tensors.get(q.name)!))));
});

test("SDXL's OpenCLIP encoder: fused in_proj splits into q/k/v rows and text_projection is a transposed view", async () => {
  const file = path.join(scratch, 'openclip.safetensors');
  const d = 2;
  writeSafetensors(file, [
    { name: 'conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight', dtype: 'F32', shape: [3 * d, d], data: f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) },
    { name: 'conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_bias', dtype: 'F32', shape: [3 * d], data: f32([20, 21, 22, 23, 24, 25]) },
    // open_clip computes x @ P with P [in=2, out=3]; the HF Linear weight is Pᵀ [3, 2].
    { name: 'conditioner.embedders.1.model.text_projection', dtype: 'F32', shape: [2, 3], data: f32([1, 2, 3, 4, 5, 6]) },
  ]);
  const { tensors, unmapped } = canonicalFromLdm((await readSafetensors(file)).tensors);
  assert.deepEqual(unmapped, []);
  const layer = 'text_encoder_2.text_model.encoder.layers.0.self_attn.';
  assert.deepEqual([...(await readTensorFloat32(tensors.get(`${layer}q_proj.weight`)!))], [0, 1, 2, 3]);
  assert.deepEqual([...(await readTensorFloat32(tensors.get(`${layer}k_proj.weight`)!))], [4, 5, 6, 7]);
  assert.deepEqual([...(await readTensorFloat32(tensors.get(`${layer}v_proj.weight`)!))], [8, 9, 10, 11]);
  assert.deepEqual([...(await readTensorFloat32(tensors.get(`${layer}v_proj.bias`)!))], [24, 25]);
  assert.ok(isContiguous(tensors.get(`${layer}k_proj.weight`)!), 'a row split is still one byte range');
  const projection = tensors.get('text_encoder_2.text_projection.weight')!;
  assert.deepEqual(projection.shape, [3, 2]);
  assert.equal(isContiguous(projection), false);
  assert.deepEqual([...(await readTensorFloat32(projection))], [1, 4, 2, 5, 3, 6]);
});

test('kohya LoRAs in LDM naming (as sd-scripts writes for SDXL) resolve to the same targets as diffusers naming', async () => {
  // Pairs from spec §6.4's table: diffusers module ↔ LDM block.
  const toLdm: Array<[RegExp, string]> = [
    [/^lora_unet_down_blocks_0_attentions_0_/, 'lora_unet_input_blocks_1_1_'],
    [/^lora_unet_down_blocks_0_attentions_1_/, 'lora_unet_input_blocks_2_1_'],
    [/^lora_unet_down_blocks_1_attentions_0_/, 'lora_unet_input_blocks_4_1_'],
    [/^lora_unet_down_blocks_1_attentions_1_/, 'lora_unet_input_blocks_5_1_'],
    [/^lora_unet_down_blocks_2_attentions_0_/, 'lora_unet_input_blocks_7_1_'],
    [/^lora_unet_down_blocks_2_attentions_1_/, 'lora_unet_input_blocks_8_1_'],
    [/^lora_unet_up_blocks_(\d)_attentions_(\d)_/, 'up'],
    [/^lora_unet_mid_block_attentions_0_/, 'lora_unet_middle_block_1_'],
  ];
  const rename = (name: string): string => {
    for (const [pattern, to] of toLdm) {
      const m = pattern.exec(name);
      if (!m) continue;
      const replacement = to === 'up' ? `lora_unet_output_blocks_${Number(m[1]) * 3 + Number(m[2])}_1_` : to;
      return name.replace(pattern, replacement);
    }
    throw new Error(`no LDM name for ${name}`);
  };
  const ldmFile = path.join(scratch, 'faceid-lora-ldm-names.safetensors');
  renameSafetensors(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), ldmFile, rename);
  const model = await openCheckpoint(fixture('sd15-tiny'));
  const diffusersNamed = await openLora(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), model);
  const ldmNamed = await openLora(ldmFile, model);
  assert.deepEqual(ldmNamed.unmatched, []);
  assert.deepEqual(ldmNamed.entries.map((e) => e.target).sort(), diffusersNamed.entries.map((e) => e.target).sort());
});

test('kohya text-encoder LoRAs (lora_te_) resolve to canonical text encoder weights; unknown names are reported', async () => {
  const model = await openCheckpoint(fixture('sd15-tiny'));
  const q = model.tensors.get('text_encoder.text_model.encoder.layers.1.self_attn.q_proj.weight')!;
  const [out, inputs] = q.shape as [number, number];
  const rank = 2;
  const file = path.join(scratch, 'te-lora.safetensors');
  const base = 'lora_te_text_model_encoder_layers_1_self_attn_q_proj';
  writeSafetensors(file, [
    { name: `${base}.lora_down.weight`, dtype: 'F32', shape: [rank, inputs], data: new Uint8Array(rank * inputs * 4) },
    { name: `${base}.lora_up.weight`, dtype: 'F32', shape: [out, rank], data: new Uint8Array(out * rank * 4) },
    { name: `${base}.alpha`, dtype: 'F32', shape: [], data: f32([1]) },
    { name: 'lora_unet_no_such_module.lora_down.weight', dtype: 'F32', shape: [rank, 4], data: new Uint8Array(rank * 16) },
  ]);
  const lora = await openLora(file, model);
  assert.equal(lora.format, 'kohya');
  assert.deepEqual(lora.entries.map((e) => [e.target, e.alpha]), [[q.name, 1]]);
  assert.deepEqual(lora.unmatched, ['lora_unet_no_such_module.lora_down.weight']);
});
