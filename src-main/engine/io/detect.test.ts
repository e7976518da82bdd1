import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { StudioError } from '../../base/errors.ts';
import { describeTensors, detectModel, type TensorInfo } from './detect.ts';

type Shapes = Record<string, { shape: number[] }>;
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(fixture('manifests', file), 'utf8')) as Record<string, unknown>;
const toMap = (tensors: Shapes, prefix = ''): Map<string, TensorInfo> => new Map(Object.entries(tensors).map(([n, { shape }]) => [prefix + n, { shape }]));

function withShape(map: Map<string, TensorInfo>, name: string, shape: number[]): Map<string, TensorInfo> {
  assert.ok(map.has(name), name);
  return new Map([...map, [name, { shape }]]);
}

const sd15Ldm = toMap((read('sd15_ldm.json') as { tensors: Shapes }).tensors);
const sdxlLdm = toMap((read('sdxl_ldm.json') as { tensors: Shapes }).tensors);
const sd15Diffusers = read('sd15_diffusers.json') as Record<string, { tensors: Shapes }>;
const sdxlDiffusers = read('sdxl_diffusers.json') as Record<string, { tensors: Shapes }>;

const FIXTURES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['sd15-tiny.safetensors', { kind: 'checkpoint', architecture: 'sd15', layout: 'ldm-single-file', format: 'safetensors', tensorCount: 992 }],
  ['sd15-tiny.fp16.safetensors', { kind: 'checkpoint', architecture: 'sd15', layout: 'ldm-single-file', dtypes: ['F16'] }],
  ['sd15-tiny', { kind: 'checkpoint', architecture: 'sd15', layout: 'diffusers', format: 'folder', tensorCount: 992 }],
  ['sd15-tiny/unet', { kind: 'unet', architecture: 'sd15', layout: 'diffusers' }],
  ['sd15-tiny/vae', { kind: 'vae', layout: 'diffusers' }],
  ['sd15-tiny/text_encoder', { kind: 'text-encoder', variant: 'clip-text' }],
  ['ipadapter-tiny/image_encoder', { kind: 'clip-vision' }],
  ['ipadapter-tiny/ip-adapter-faceid_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', format: 'pytorch-zip', tensorCount: 294 }],
  ['ipadapter-tiny/ip-adapter-faceid_sd15_tiny.safetensors', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', format: 'safetensors' }],
  ['ipadapter-tiny/ip-adapter-faceid-plusv2_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plus', tensorCount: 344 }],
  ['ipadapter-tiny/ip-adapter-faceid-plusv2_sd15_tiny.safetensors', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plus' }],
  ['ipadapter-tiny/ip-adapter-faceid-portrait_sd15_tiny.bin', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-portrait', tensorCount: 38 }],
  ['ipadapter-tiny/ip-adapter-faceid-portrait_sd15_tiny.safetensors', { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-portrait' }],
  ['ipadapter-tiny/ip-adapter-faceid_sd15_tiny_lora.safetensors', { kind: 'lora', base: 'sd15', variant: 'kohya', tensorCount: 256 }],
  ['ipadapter-tiny/ip-adapter-faceid_sd15_tiny_lora_with_alpha.safetensors', { kind: 'lora', base: 'sd15', variant: 'kohya' }],
];

for (const [file, expected] of FIXTURES) {
  test(`detectModel identifies fixture ${file}`, async () => {
    const description = await detectModel(fixture(file));
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(description[key as keyof typeof description], value, `${file}: ${key}`);
    assert.ok(description.parameterCount > 0 && description.sizeBytes > 0);
    assert.equal(description.licenceHint !== undefined, description.kind === 'ip-adapter', 'FaceID files carry the licence hint');
  });
}

test('manifests: the real SD1.5 and SDXL single files and diffusers parts are identified', () => {
  assert.deepEqual(pick(describeTensors(sd15Ldm, 'sd15')), { kind: 'checkpoint', architecture: 'sd15', base: 'sd15', layout: 'ldm-single-file' });
  assert.deepEqual(pick(describeTensors(sdxlLdm, 'sdxl')), { kind: 'checkpoint', architecture: 'sdxl', base: 'sdxl', layout: 'ldm-single-file' });
  assert.deepEqual(describeTensors(sdxlLdm, 'sdxl').components, ['unet', 'vae', 'text_encoder', 'text_encoder_2']);
  for (const [name, parts, base] of [['SD1.5', sd15Diffusers, 'sd15'], ['SDXL', sdxlDiffusers, 'sdxl']] as const) {
    assert.deepEqual(pick(describeTensors(toMap(parts['unet']!.tensors), name)), { kind: 'unet', architecture: base, base, layout: 'diffusers' });
    assert.equal(describeTensors(toMap(parts['vae']!.tensors), name).kind, 'vae');
    assert.equal(describeTensors(toMap(parts['text_encoder']!.tensors), name).variant, 'clip-text');
  }
  assert.equal(describeTensors(toMap(sdxlDiffusers['text_encoder_2']!.tensors), 'te2').variant, 'clip-text-with-projection');
  const vision = describeTensors(toMap((read('clip_vit_h14_vision.json') as { tensors: Shapes }).tensors), 'vision');
  assert.deepEqual([vision.kind, vision.variant], ['clip-vision', 'vit-h-14']);
});

test('manifests: every IP-Adapter FaceID file and the kohya FaceID LoRAs are identified', () => {
  const bins = read('ipadapter_faceid_bins.json') as Record<string, { tensors?: Shapes }>;
  const expected: Record<string, [string, string, string]> = {
    'ip-adapter-faceid_sd15.bin': ['ip-adapter', 'sd15', 'faceid'],
    'ip-adapter-faceid-plus_sd15.bin': ['ip-adapter', 'sd15', 'faceid-plus'],
    'ip-adapter-faceid-plusv2_sd15.bin': ['ip-adapter', 'sd15', 'faceid-plus'],
    'ip-adapter-faceid-portrait_sd15.bin': ['ip-adapter', 'sd15', 'faceid-portrait'],
    'ip-adapter-faceid_sdxl.bin': ['ip-adapter', 'sdxl', 'faceid'],
    'ip-adapter-faceid-plusv2_sdxl.bin': ['ip-adapter', 'sdxl', 'faceid-plus'],
    'ip-adapter-faceid-portrait_sdxl.bin': ['ip-adapter', 'sdxl', 'faceid-portrait'],
    'ip-adapter-faceid-portrait_sdxl_unnorm.bin': ['ip-adapter', 'sdxl', 'faceid-portrait'],
    'ip-adapter-faceid_sd15_lora.safetensors': ['lora', 'sd15', 'kohya'],
    'ip-adapter-faceid_sdxl_lora.safetensors': ['lora', 'sdxl', 'kohya'],
  };
  const manifestFiles = Object.keys(bins).filter((k) => bins[k]!.tensors !== undefined);
  assert.deepEqual(manifestFiles.sort(), Object.keys(expected).sort(), 'every manifest file has an expectation');
  for (const [file, [kind, base, variant]] of Object.entries(expected)) {
    const d = describeTensors(toMap(bins[file]!.tensors!), file);
    assert.deepEqual([d.kind, d.base, d.variant], [kind, base, variant], file);
  }
});

test('inpainting UNets (9 input channels) are recognised in both layouts', () => {
  const sd15 = withShape(sd15Ldm, 'model.diffusion_model.input_blocks.0.0.weight', [320, 9, 3, 3]);
  assert.equal(describeTensors(sd15, 'x').architecture, 'sd15-inpaint');
  const sdxl = withShape(sdxlLdm, 'model.diffusion_model.input_blocks.0.0.weight', [320, 9, 3, 3]);
  assert.equal(describeTensors(sdxl, 'x').architecture, 'sdxl-inpaint');
  const unet = withShape(toMap(sd15Diffusers['unet']!.tensors), 'conv_in.weight', [320, 9, 3, 3]);
  assert.equal(describeTensors(unet, 'x').architecture, 'sd15-inpaint');
});

test('SD2.x, the SDXL refiner, SD3 and Flux are refused by name, with the family named', () => {
  const refusedBy = (tensors: Map<string, TensorInfo>, family: RegExp): void => {
    assert.throws(() => describeTensors(tensors, 'model.safetensors'), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.unsupported-architecture' && family.test(e.userMessage));
  };
  // SD2.x single file: OpenCLIP ViT-H text encoder under cond_stage_model.model.
  refusedBy(new Map([...sd15Ldm, ['cond_stage_model.model.transformer.resblocks.0.ln_1.weight', { shape: [1024] }]]), /Stable Diffusion 2/);
  // SD2.x diffusers UNet: linear proj_in without SDXL's added embedding.
  const unet = toMap(sd15Diffusers['unet']!.tensors);
  refusedBy(withShape(unet, 'down_blocks.0.attentions.0.proj_in.weight', [320, 320]), /Stable Diffusion 2/);
  // SDXL refiner: OpenCLIP as the first (only) embedder; diffusers: a fourth level with attentions.
  refusedBy(new Map([...sdxlLdm, ['conditioner.embedders.0.model.ln_final.weight', { shape: [1280] }]]), /refiner/);
  refusedBy(new Map([...toMap(sdxlDiffusers['unet']!.tensors), ['down_blocks.3.attentions.0.proj_in.weight', { shape: [1536, 1536] }]]), /refiner/);
  refusedBy(new Map([['model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight', { shape: [4608, 1536] }]]), /Stable Diffusion 3/);
  refusedBy(new Map([['double_blocks.0.img_attn.qkv.weight', { shape: [9216, 3072] }], ['single_blocks.0.linear1.weight', { shape: [21504, 3072] }]]), /Flux/);
  refusedBy(new Map([['transformer_blocks.0.attn.add_q_proj.weight', { shape: [3072, 3072] }], ['single_transformer_blocks.0.proj_out.weight', { shape: [3072, 15360] }]]), /Flux/);
});

test('tensors of no known model are a wrong-kind error naming the file', () => {
  assert.throws(() => describeTensors(new Map([['encoder.weight', { shape: [4, 4] }]]), 'mystery.safetensors'), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.wrong-kind' && e.userMessage.includes('mystery.safetensors'));
});

function pick(d: ReturnType<typeof describeTensors>): Record<string, unknown> {
  return { kind: d.kind, architecture: d.architecture, base: d.base, layout: d.layout };
}

const CONTROL_FIXTURES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['control/controlnet-tiny', { kind: 'controlnet', base: 'sd15', variant: 'diffusers', format: 'safetensors' }],
  ['control/control_v11p_sd15_tiny_fp16.pth', { kind: 'controlnet', base: 'sd15', variant: 'original', format: 'pytorch-zip', dtypes: ['F16'] }],
  ['control/control_v11p_sd15_tiny_fp16.safetensors', { kind: 'controlnet', base: 'sd15', variant: 'original', format: 'safetensors', dtypes: ['F16'] }],
  ['control/t2iadapter-tiny', { kind: 't2i-adapter', base: 'sd15', variant: 'diffusers' }],
  ['control/t2iadapter_tiny_sd15v2.pth', { kind: 't2i-adapter', base: 'sd15', variant: 'original', format: 'pytorch-zip' }],
];

for (const [file, expected] of CONTROL_FIXTURES) {
  test(`detectModel identifies control fixture ${file} by content`, async () => {
    const description = await detectModel(fixture(file));
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(description[key as keyof typeof description], value, `${file}: ${key}`);
  });
}

test('manifests: the real SD1.5 ControlNet (original and diffusers), SDXL ControlNet and the T2I-Adapters are identified', () => {
  const control = (file: string) => JSON.parse(readFileSync(fixture('control', 'manifests', file), 'utf8')) as Record<string, { tensors: Shapes } & Record<string, { tensors: Shapes }>>;
  const kindBase = (tensors: Shapes) => {
    const d = describeTensors(toMap(tensors), 'manifest');
    return [d.kind, d.base, d.variant];
  };
  const sd15 = control('controlnet_sd15.json');
  assert.deepEqual(kindBase(sd15['diffusers']!.tensors), ['controlnet', 'sd15', 'diffusers']);
  assert.deepEqual(kindBase(sd15['original']!.tensors), ['controlnet', 'sd15', 'original']);
  assert.deepEqual(kindBase(control('controlnet_sdxl.json')['diffusers']!.tensors), ['controlnet', 'sdxl', 'diffusers']);
  for (const channels of ['in_channels_3', 'in_channels_1']) {
    const t2i = control('t2iadapter_sd15.json')[channels]!;
    assert.deepEqual(kindBase(t2i['diffusers']!.tensors), ['t2i-adapter', 'sd15', 'diffusers']);
    assert.deepEqual(kindBase(t2i['original']!.tensors), ['t2i-adapter', 'sd15', 'original']);
    assert.deepEqual(kindBase(control('t2iadapter_sdxl.json')[channels]!['diffusers']!.tensors), ['t2i-adapter', 'sdxl', 'diffusers']);
  }
  assert.equal(describeTensors(toMap(control('t2iadapter_sd15.json')['in_channels_1']!['diffusers']!.tensors), 'm').details['imageChannels'], 1);
});
