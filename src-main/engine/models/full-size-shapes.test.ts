// The graph builders against the REAL full-size SD1.5 / FaceID key lists and shapes (fixtures/manifests): every
// tensor a graph reads exists with the shape it expects, configs come out as SD1.5's, and the processor order
// matches diffusers' attn_processors order. No weights are read (descriptors point at a file that is never opened).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { resolveLora } from '../io/lora.ts';
import { unetNameToLdm, upLevelsWithAttention } from '../io/unet-layout.ts';
import { LoraSet } from '../graph/lora.ts';
import { WeightMap } from '../graph/weight-map.ts';
import type { DType } from '../tensors/dtype.ts';
import { buildClipText } from './clip-text.ts';
import { blockOutChannels, clipTextConfig, clipVisionConfig, unetConfig, vaeConfig } from './config.ts';
import { buildClipVision } from './clip-vision.ts';
import { ipAdapterForUNet } from './ip-adapter.ts';
import { attentionProcessors, buildUNet } from './unet.ts';
import { buildVaeDecoder, buildVaeEncoder } from './vae.ts';

interface Manifest {
  count?: number;
  tensors: Record<string, { shape: number[]; dtype: string }>;
}

function descriptors(prefix: string, manifest: Manifest, dtype: DType = 'F16'): Map<string, TensorDescriptor> {
  const map = new Map<string, TensorDescriptor>();
  for (const [name, { shape }] of Object.entries(manifest.tensors)) {
    const numel = shape.reduce((a, b) => a * b, 1);
    map.set(`${prefix}${name}`, { name: `${prefix}${name}`, dtype, shape, file: '/nonexistent/model.safetensors', offset: 0, byteLength: numel * 2 });
  }
  return map;
}

const sd15 = JSON.parse(readFileSync(fixture('manifests', 'sd15_diffusers.json'), 'utf8')) as Record<string, Manifest>;
const bins = JSON.parse(readFileSync(fixture('manifests', 'ipadapter_faceid_bins.json'), 'utf8')) as Record<string, Manifest & string[]>;
const checkpoint = new Map([...descriptors('unet.', sd15['unet']!), ...descriptors('vae.', sd15['vae']!), ...descriptors('text_encoder.', sd15['text_encoder']!)]);
const weights = new WeightMap(checkpoint, 'sd15 manifest');

test('SD1.5 configs come from shapes alone: 8 UNet heads, CLIP-L text encoder, 0.18215 VAE', () => {
  const unet = unetConfig(weights, 'unet.');
  assert.deepEqual(blockOutChannels(unet), [320, 640, 1280, 1280]);
  assert.equal(unet.crossAttentionDim, 768);
  assert.deepEqual([...unet.down, unet.mid, ...unet.up].map((l) => l.heads), Array(9).fill(8));
  assert.deepEqual(unet.down.map((l) => [l.attentions, l.transformerDepth]), [[true, 1], [true, 1], [true, 1], [false, 0]]);
  assert.equal(unet.addedEmbedding, undefined);
  const text = clipTextConfig(weights, 'text_encoder');
  assert.deepEqual([text.hiddenSize, text.heads, text.layers, text.activation], [768, 12, 12, 'quick_gelu']);
  const vae = vaeConfig(weights, 'vae.', undefined, 0.18215);
  assert.deepEqual([vae.blockOutChannels, vae.latentChannels, vae.scalingFactor], [[128, 256, 512, 512], 4, 0.18215]);
});

test('the UNet attention processor order is diffusers\' attn_processors order (IP-Adapter numbering)', () => {
  const order = (bins['processor_order_sd15'] as unknown as string[]).map((p) => p.replace(/\.processor$/, ''));
  assert.deepEqual(attentionProcessors(unetConfig(weights, 'unet.')).map((p) => p.path), order);
});

test('full-size SD1.5 graphs with the FaceID adapter and its kohya LoRA build from the real key lists', async () => {
  const unet = unetConfig(weights, 'unet.');
  const adapterFile = bins['ip-adapter-faceid_sd15.bin']!;
  const adapter = ipAdapterForUNet('ip-adapter-faceid_sd15.bin', descriptors('', adapterFile), unet);
  assert.equal(adapter.tokenDim, 768);
  const model = { tensors: checkpoint };
  const faceIdLora = await resolveLora('ip-adapter-faceid_sd15.bin', descriptors('', adapterFile), model);
  assert.equal(faceIdLora.entries.length, 128);
  const kohyaFile = descriptors('', bins['ip-adapter-faceid_sd15_lora.safetensors']!);
  const kohya = await resolveLora('ip-adapter-faceid_sd15_lora.safetensors', kohyaFile, model);
  assert.equal(kohya.entries.length, 128);
  assert.deepEqual(kohya.unmatched, []);
  assert.deepEqual(new Set(kohya.entries.map((e) => e.target)), new Set(faceIdLora.entries.map((e) => e.target)));
  // The same file in A1111's original-LDM module names (lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q).
  const levels = upLevelsWithAttention(checkpoint.keys());
  const ldmNamed = new Map<string, TensorDescriptor>();
  for (const entry of kohya.entries) {
    const ldm = unetNameToLdm(entry.target.slice('unet.'.length), levels);
    assert.ok(ldm, `${entry.target} has an LDM name`);
    const module = `lora_unet_${ldm.slice(0, -'.weight'.length).replaceAll('.', '_')}`;
    ldmNamed.set(`${module}.lora_down.weight`, entry.down).set(`${module}.lora_up.weight`, entry.up);
  }
  const ldmLora = await resolveLora('ldm-named.safetensors', ldmNamed, model);
  assert.deepEqual(ldmLora.unmatched, []);
  assert.deepEqual(ldmLora.entries.map((e) => e.target), kohya.entries.map((e) => e.target));
  const loras = new LoraSet([faceIdLora, kohya].map((l) => ({ label: l.source, entries: l.entries, unmatchedTensors: l.unmatched.length })));
  const graph = buildUNet(weights, unet, { ip: adapter.attention, loras });
  assert.deepEqual(graph.inputNames(), ['sample', 'timestep', 'encoder_hidden_states', 'ip_tokens', 'ip_scale', 'lora_strengths']);
  assert.deepEqual(loras.unusedCounts(), [0, 0]);
  const unetFiles = graph.externalRanges().length;
  assert.equal(unetFiles, 686 + 32 + 128 * 2 * 2, 'every UNet tensor, every to_k_ip/to_v_ip and both LoRAs are read');
  buildClipText(weights, clipTextConfig(weights, 'text_encoder'));
  buildVaeEncoder(weights, vaeConfig(weights, 'vae.', undefined, 0.18215));
  buildVaeDecoder(weights, vaeConfig(weights, 'vae.', undefined, 0.18215));
});

test('ViT-H/14 image encoder config and graph from the real key list', () => {
  const vision = JSON.parse(readFileSync(fixture('manifests', 'clip_vit_h14_vision.json'), 'utf8')) as Record<string, unknown>;
  const manifest = (vision['tensors'] ? vision : Object.values(vision).find((v) => typeof v === 'object' && v !== null && 'tensors' in v)) as Manifest;
  const map = new WeightMap(descriptors('image_encoder.', manifest), 'ViT-H manifest');
  const config = clipVisionConfig(map, 'image_encoder.');
  assert.deepEqual([config.hiddenSize, config.heads, config.layers, config.imageSize, config.activation], [1280, 16, 32, 224, 'gelu']);
  assert.deepEqual(buildClipVision(map, config).outputNames(), ['penultimate_hidden_state']);
});

// SDXL: the same checks on the real SDXL base key lists and the SDXL FaceID files.
const sdxl = JSON.parse(readFileSync(fixture('manifests', 'sdxl_diffusers.json'), 'utf8')) as Record<string, Manifest>;
const sdxlCheckpoint = new Map(['unet', 'vae', 'text_encoder', 'text_encoder_2'].flatMap((c) => [...descriptors(`${c}.`, sdxl[c]!)]));
const sdxlWeights = new WeightMap(sdxlCheckpoint, 'sdxl manifest');

test('SDXL configs come from shapes alone: depth 0/2/10, 64-wide heads, text_time embedding, CLIP-L + bigG with projection', () => {
  const text2 = clipTextConfig(sdxlWeights, 'text_encoder_2');
  assert.deepEqual([text2.hiddenSize, text2.heads, text2.layers, text2.activation, text2.projectionSize], [1280, 20, 32, 'gelu', 1280]);
  const text1 = clipTextConfig(sdxlWeights, 'text_encoder');
  assert.deepEqual([text1.hiddenSize, text1.layers, text1.projectionSize], [768, 12, undefined]);
  const unet = unetConfig(sdxlWeights, 'unet.', undefined, text2.projectionSize);
  assert.deepEqual(blockOutChannels(unet), [320, 640, 1280]);
  assert.equal(unet.crossAttentionDim, 2048);
  assert.deepEqual(unet.down.map((l) => [l.attentions, l.transformerDepth]), [[false, 0], [true, 2], [true, 10]]);
  assert.deepEqual(unet.down.filter((l) => l.attentions).map((l) => l.heads), [10, 20]);
  assert.deepEqual([unet.mid.transformerDepth, unet.mid.heads], [10, 20]);
  assert.deepEqual(unet.addedEmbedding, { type: 'text_time', timeIds: 6, timeEmbedDim: 256, textEmbedDim: 1280 });
  const vae = vaeConfig(sdxlWeights, 'vae.', undefined, 0.13025);
  assert.deepEqual([vae.blockOutChannels, vae.scalingFactor], [[128, 256, 512, 512], 0.13025]);
});

test('the SDXL attention processor order is the real files\' order (140 processors)', () => {
  const order = (bins['processor_order_sdxl'] as unknown as string[]).map((p) => p.replace(/\.processor$/, ''));
  const unet = unetConfig(sdxlWeights, 'unet.', undefined, 1280);
  assert.equal(order.length, 140);
  assert.deepEqual(attentionProcessors(unet).map((p) => p.path), order);
});

test('full-size SDXL graphs with each SDXL FaceID adapter and the kohya FaceID LoRA build from the real key lists', async () => {
  const unet = unetConfig(sdxlWeights, 'unet.', undefined, 1280);
  const model = { tensors: sdxlCheckpoint };
  for (const file of ['ip-adapter-faceid_sdxl.bin', 'ip-adapter-faceid-plusv2_sdxl.bin', 'ip-adapter-faceid-portrait_sdxl.bin']) {
    assert.equal(ipAdapterForUNet(file, descriptors('', bins[file]!), unet).tokenDim, 2048, file);
  }
  const adapterFile = descriptors('', bins['ip-adapter-faceid_sdxl.bin']!);
  const adapter = ipAdapterForUNet('ip-adapter-faceid_sdxl.bin', adapterFile, unet);
  const faceIdLora = await resolveLora('ip-adapter-faceid_sdxl.bin', adapterFile, model);
  const kohya = await resolveLora('ip-adapter-faceid_sdxl_lora.safetensors', descriptors('', bins['ip-adapter-faceid_sdxl_lora.safetensors']!), model);
  assert.equal(faceIdLora.entries.length, 140 * 4);
  assert.deepEqual(kohya.unmatched, []);
  assert.deepEqual(new Set(kohya.entries.map((e) => e.target)), new Set(faceIdLora.entries.map((e) => e.target)));
  const loras = new LoraSet([faceIdLora, kohya].map((l) => ({ label: l.source, entries: l.entries, unmatchedTensors: l.unmatched.length })));
  const graph = buildUNet(sdxlWeights, unet, { ip: adapter.attention, loras });
  assert.deepEqual(graph.inputNames(), ['sample', 'timestep', 'encoder_hidden_states', 'text_embeds', 'time_ids', 'ip_tokens', 'ip_scale', 'lora_strengths']);
  assert.deepEqual(loras.unusedCounts(), [0, 0]);
  assert.equal(graph.externalRanges().length, sdxl['unet']!.count! + 70 * 2 + 560 * 2 * 2, 'every UNet tensor, every to_k_ip/to_v_ip and both LoRAs are read');
  for (const component of ['text_encoder', 'text_encoder_2']) buildClipText(sdxlWeights, clipTextConfig(sdxlWeights, component));
  buildVaeDecoder(sdxlWeights, vaeConfig(sdxlWeights, 'vae.', undefined, 0.13025));
});
