import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fixture } from '../../test/helpers/fixtures.ts';
import { tensors, tinyDecoder, writeTinyTaesdDecoder } from '../../test/helpers/tiny-taesd.ts';
import { a1111EmbeddingPt } from '../../test/helpers/torch-archive.ts';
import { writeSafetensorsFile } from '../../test/helpers/write-safetensors.ts';
import { readSafetensors } from '../engine/io/safetensors.ts';
import { SeededRandom } from './selftest/seeded-random.ts';
import { buildTinyDepthModel } from './selftest/tiny-depth-model.ts';
import { buildTinyPoseModels } from './selftest/tiny-pose-models.ts';
import { createIdentifier, sniffFormat } from './identify.ts';
import type { ModelIdentity } from './identity.ts';

// The manifests list the key names and shapes of the REAL full-size files. Each becomes a sparse
// .safetensors file (a real header, a hole where the weights would be), so identification is checked
// on full-size layouts without gigabytes on disk.
interface Manifest {
  tensors: Record<string, { shape: number[]; dtype: string }>;
}

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-identify-'));
});
after(() => rm(folder, { recursive: true, force: true }));

async function sparseSafetensors(name: string, manifest: Manifest): Promise<string> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [tensor, { shape, dtype }] of Object.entries(manifest.tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'float32' ? 4 : dtype === 'int64' ? 8 : 2);
    header[tensor] = { dtype: dtype === 'float32' ? 'F32' : dtype === 'int64' ? 'I64' : 'F16', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  const file = path.join(folder, `${name}.safetensors`);
  await writeFile(file, Buffer.concat([prefix, headerBytes]));
  await truncate(file, 8 + headerBytes.length + offset);
  return file;
}

const manifest = (file: string, part?: string): Manifest => {
  const json = JSON.parse(readFileSync(fixture('manifests', file), 'utf8')) as Record<string, unknown>;
  return (part ? json[part] : json) as Manifest;
};

const cases: Array<[string, () => Manifest, Partial<ModelIdentity>]> = [
  ['sd15 single file', () => manifest('sd15_ldm.json'), { kind: 'checkpoint', base: 'sd15', isFullSize: true }],
  ['sdxl single file', () => manifest('sdxl_ldm.json'), { kind: 'checkpoint', base: 'sdxl', isFullSize: true }],
  ['ViT-H/14 image encoder', () => manifest('clip_vit_h14_vision.json'), { kind: 'image-encoder', isFullSize: true }],
  ['faceid sd15', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid_sd15.bin'), { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true, isFullSize: true }],
  ['faceid-plus sd15', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-plus_sd15.bin'), { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plusv2', hasEmbeddedLora: true }],
  ['faceid-plusv2 sd15', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-plusv2_sd15.bin'), { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plusv2' }],
  ['portrait sd15', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-portrait_sd15.bin'), { kind: 'ip-adapter', base: 'sd15', variant: 'portrait', hasEmbeddedLora: false }],
  ['faceid sdxl', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid_sdxl.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'faceid', hasEmbeddedLora: true, isFullSize: true }],
  ['faceid-plusv2 sdxl', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-plusv2_sdxl.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'faceid-plusv2' }],
  ['portrait sdxl', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-portrait_sdxl.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'portrait' }],
  ['portrait unnorm sdxl', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid-portrait_sdxl_unnorm.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'portrait-unnorm' }],
  ['faceid lora sd15', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid_sd15_lora.safetensors'), { kind: 'lora', base: 'sd15', isFaceIdLora: true, isFullSize: true }],
  ['faceid lora sdxl', () => manifest('ipadapter_faceid_bins.json', 'ip-adapter-faceid_sdxl_lora.safetensors'), { kind: 'lora', base: 'sdxl', isFaceIdLora: true, isFullSize: true }],
  ['diffusers sd15 unet part', () => manifest('sd15_diffusers.json', 'unet'), { kind: 'other' }],
];

for (const [name, load, expected] of cases) {
  test(`identifies the real ${name} layout by its tensors`, async () => {
    const file = await sparseSafetensors(name.replace(/[^a-z0-9]+/gi, '_'), load());
    const identity = await createIdentifier()(file);
    assert.ok(identity, `${name} was not identified`);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual((identity as Record<string, unknown>)[key], value, `${name}: ${key} (${identity.summary})`);
  });
}

test('torch zip files go to the injected torch identifier, other bytes to nobody', async () => {
  const zip = path.join(folder, 'model.safetensors'); // the name lies: the bytes are a zip
  await writeFile(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]));
  const junk = path.join(folder, 'model.onnx');
  await writeFile(junk, 'hello, this is not a model at all');
  assert.equal((await sniffFormat(zip)).format, 'torch-zip');
  const seen: string[] = [];
  const identify = createIdentifier({ identifyTorchFile: async (file) => (seen.push(file), { kind: 'other', base: null, isFullSize: true, summary: 'torch file' }) });
  assert.equal((await identify(zip))?.summary, 'torch file');
  assert.deepEqual(seen, [zip]);
  assert.equal(await identify(junk), null);
});

test('real torch .bin adapters (zip, one shared fp16 storage) are identified through engine/io', async () => {
  const identify = createIdentifier();
  const expected: Array<[string, Partial<ModelIdentity>]> = [
    ['ip-adapter-faceid_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true, isFullSize: false }],
    ['ip-adapter-faceid-plusv2_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plusv2', hasEmbeddedLora: true }],
    ['ip-adapter-faceid-portrait_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'portrait', hasEmbeddedLora: false }],
  ];
  for (const [file, want] of expected) {
    const identity = await identify(fixture('ipadapter-tiny', file));
    for (const [key, value] of Object.entries(want)) assert.deepEqual((identity as Record<string, unknown> | null)?.[key], value, `${file}: ${key}`);
  }
});

test('the tiny SDXL fixtures (SDXL topology, other widths) are identified as SDXL by content', async () => {
  const identify = createIdentifier();
  const sdxl = (...parts: string[]) => fixture('sdxl', ...parts);
  const expected: Array<[string, Partial<ModelIdentity>]> = [
    [sdxl('sdxl-tiny.safetensors'), { kind: 'checkpoint', base: 'sdxl', isFullSize: false }],
    [sdxl('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'faceid', hasEmbeddedLora: true, isFullSize: false }],
    [sdxl('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.safetensors'), { kind: 'ip-adapter', base: 'sdxl', variant: 'faceid', hasEmbeddedLora: true }],
    [sdxl('ipadapter-sdxl-tiny', 'ip-adapter-faceid-plusv2_sdxl_tiny.safetensors'), { kind: 'ip-adapter', base: 'sdxl', variant: 'faceid-plusv2' }],
    [sdxl('ipadapter-sdxl-tiny', 'ip-adapter-faceid-portrait_sdxl_tiny.bin'), { kind: 'ip-adapter', base: 'sdxl', variant: 'portrait', hasEmbeddedLora: false }],
    [sdxl('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny_lora.safetensors'), { kind: 'lora', base: 'sdxl', isFaceIdLora: true, isFullSize: false }],
  ];
  for (const [file, want] of expected) {
    const identity = await identify(file);
    for (const [key, value] of Object.entries(want)) assert.deepEqual((identity as Record<string, unknown> | null)?.[key], value, `${path.basename(file)}: ${key} (${identity?.summary})`);
  }
});

test('the control fixtures: ControlNets in every layout are `controlnet` models, T2I-Adapters `t2i-adapter` models, with their base', async () => {
  const identify = createIdentifier();
  const control = (...parts: string[]) => fixture('control', ...parts);
  const expected: Array<[string, Partial<ModelIdentity>]> = [
    [control('controlnet-tiny', 'diffusion_pytorch_model.safetensors'), { kind: 'controlnet', base: 'sd15', isFullSize: false }],
    [control('control_v11p_sd15_tiny_fp16.safetensors'), { kind: 'controlnet', base: 'sd15', isFullSize: false }],
    [control('control_v11p_sd15_tiny_fp16.pth'), { kind: 'controlnet', base: 'sd15', isFullSize: false }],
    [control('t2iadapter_tiny_sd15v2.pth'), { kind: 't2i-adapter', base: 'sd15', isFullSize: false }],
    [control('t2iadapter-tiny', 'diffusion_pytorch_model.safetensors'), { kind: 't2i-adapter', base: 'sd15', isFullSize: false }],
  ];
  for (const [file, want] of expected) {
    const identity = await identify(file);
    for (const [key, value] of Object.entries(want)) assert.deepEqual((identity as Record<string, unknown> | null)?.[key], value, `${path.basename(file)}: ${key} (${identity?.summary})`);
  }
  assert.match((await identify(control('t2iadapter-tiny', 'diffusion_pytorch_model.safetensors')))?.summary ?? '', /SD1\.5 T2I-Adapter \(diffusers layout\), tiny test model/u);
});

test('textual-inversion embeddings (.pt string_to_param, .safetensors emb_params, SDXL clip_l/clip_g) and VAEs are told by content', async () => {
  const identify = createIdentifier();
  const pt = path.join(folder, 'anything.pt');
  await writeFile(pt, a1111EmbeddingPt('anything', new Float32Array(2 * 768), 768));
  const single = path.join(folder, 'sd15-embedding.safetensors');
  await writeSafetensorsFile(single, { emb_params: { dtype: 'F16', shape: [4, 768], data: new Array(4 * 768).fill(0.1) } });
  const pair = path.join(folder, 'sdxl-embedding.safetensors');
  await writeSafetensorsFile(pair, { clip_l: { dtype: 'F16', shape: [1, 768], data: new Array(768).fill(0.1) }, clip_g: { dtype: 'F16', shape: [1, 1280], data: new Array(1280).fill(0.1) } });
  const vae = path.join(folder, 'vae-apart.safetensors');
  const own = await readSafetensors(fixture('sd15-tiny', 'vae', 'diffusion_pytorch_model.safetensors'));
  await writeSafetensorsFile(vae, Object.fromEntries([...own.tensors].map(([name, d]) => [name, { dtype: 'F32' as const, shape: d.shape, data: new Array(d.shape.reduce((a, b) => a * b, 1)).fill(0) }])));
  const expected: Array<[string, Partial<ModelIdentity>]> = [
    [pt, { kind: 'embedding', base: 'sd15', isFullSize: true }],
    [single, { kind: 'embedding', base: 'sd15', isFullSize: true }],
    [pair, { kind: 'embedding', base: 'sdxl', isFullSize: true }],
    [vae, { kind: 'vae', base: null, isFullSize: false }],
    [fixture('sd15-tiny', 'vae'), { kind: 'vae' }],
  ];
  for (const [file, want] of expected) {
    const identity = await identify(file);
    for (const [key, value] of Object.entries(want)) assert.deepEqual((identity as Record<string, unknown> | null)?.[key], value, `${path.basename(file)}: ${key} (${identity?.summary})`);
  }
});

test('TAESD preview decoders (madebyollin\'s decoder file, diffusers AutoencoderTiny) are `taesd` models without a base', async () => {
  const identify = createIdentifier();
  const original = path.join(folder, 'renamed-decoder.safetensors');
  await writeTinyTaesdDecoder(original);
  assert.deepEqual(await identify(original), { kind: 'taesd', base: null, isFullSize: false, summary: 'TAESD preview decoder (original layout), tiny test model' });
  const layers = tinyDecoder(new SeededRandom(3));
  const diffusers = path.join(folder, 'autoencoder-tiny.safetensors');
  await writeSafetensorsFile(diffusers, tensors(layers, (i, rest) => `decoder.layers.${i}${rest}`));
  assert.equal((await identify(diffusers))?.kind, 'taesd');
});

test('annotator ONNX models are told by their interface: DWPose\'s person detector and keypoint model, Depth Anything', async () => {
  const identify = createIdentifier();
  const models = buildTinyPoseModels(11);
  const detector = path.join(folder, 'a.onnx');
  const pose = path.join(folder, 'b.onnx');
  await writeFile(detector, models.detector);
  await writeFile(pose, models.pose);
  assert.deepEqual([(await identify(detector))?.kind, (await identify(pose))?.kind], ['pose-detector', 'pose-estimator']);
  const depth = path.join(folder, 'c.onnx');
  await writeFile(depth, buildTinyDepthModel(3));
  assert.equal((await identify(depth))?.kind, 'depth-estimator');
});
