import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { StudioError } from '../../base/errors.ts';
import { canonicalFromLdm, openCheckpoint } from './checkpoint.ts';
import { isContiguous, readTensorBytes, type TensorDescriptor } from './descriptors.ts';
import { describeIpAdapter, openIpAdapter } from './ipadapter.ts';
import { openLora, resolveLora } from './lora.ts';
import { readZipEntries } from './pytorch/zip.ts';
import { attentionProcessorOrder, unetNameToLdm, upLevelsWithAttention } from './unet-layout.ts';

type Shapes = Record<string, { shape: number[] }>;
const keys = JSON.parse(readFileSync(fixture('ipadapter-tiny', 'ipadapter_keys.json'), 'utf8')) as Record<string, unknown> & {
  kohya_lora_key_map: Record<string, string>;
  processor_index_to_name: Record<string, string>;
};
const bins = JSON.parse(readFileSync(fixture('manifests', 'ipadapter_faceid_bins.json'), 'utf8')) as Record<string, { tensors: Shapes } | string[]>;

function manifestUnet(file: string): Map<string, TensorDescriptor> {
  const unet = (JSON.parse(readFileSync(fixture('manifests', file), 'utf8')) as { unet: { tensors: Shapes } }).unet.tensors;
  return new Map(Object.entries(unet).map(([n, { shape }]) => [`unet.${n}`, { name: `unet.${n}`, dtype: 'F32', shape, file: 'manifest', offset: 0, byteLength: 0 }]));
}

const TINY = [
  ['ip-adapter-faceid_sd15_tiny', 'faceid', 'mlp', 4, true],
  ['ip-adapter-faceid-plusv2_sd15_tiny', 'faceid-plus', 'proj-plus', 4, true],
  ['ip-adapter-faceid-portrait_sd15_tiny', 'faceid-portrait', 'mlp', 16, false],
] as const;

for (const [name, variant, projection, tokens, hasLora] of TINY) {
  test(`${name}: .bin and .safetensors twins give the same tensors, bit-equal, and the same description`, async () => {
    const bin = await openIpAdapter(fixture('ipadapter-tiny', `${name}.bin`));
    const st = await openIpAdapter(fixture('ipadapter-tiny', `${name}.safetensors`));
    for (const adapter of [bin, st]) {
      assert.equal(adapter.base, 'sd15');
      assert.equal(adapter.variant, variant);
      assert.equal(adapter.projection, projection);
      assert.equal(adapter.tokens, tokens);
      assert.equal(adapter.processorCount, 32);
      assert.equal(adapter.loraRank !== undefined, hasLora);
    }
    const expected = keys[name] as { keys: { image_proj: Shapes; ip_adapter: Shapes }; storage_records: string[] };
    const expectedNames = [...Object.keys(expected.keys.image_proj).map((k) => `image_proj.${k}`), ...Object.keys(expected.keys.ip_adapter).map((k) => `ip_adapter.${k}`)];
    assert.deepEqual([...bin.tensors.keys()].sort(), expectedNames.sort());
    assert.deepEqual([...st.tensors.keys()].sort(), expectedNames.sort());
    for (const [key, t] of st.tensors) {
      const b = bin.tensors.get(key)!;
      assert.deepEqual(b.shape, t.shape, key);
      assert.equal(b.dtype, t.dtype, key);
      assert.ok(Buffer.from(await readTensorBytes(b)).equals(Buffer.from(await readTensorBytes(t))), `${key} differs`);
    }
    // Every tensor is a view into the one shared storage record, at its own non-overlapping offset.
    const entries = await readZipEntries(bin.source, readFileSync(bin.source).length);
    assert.deepEqual(expected.storage_records.length, 1);
    const record = entries.get(expected.storage_records[0]!)!;
    const ranges = [...bin.tensors.values()].map((t) => [t.offset, t.offset + t.byteLength] as const).sort((a, b) => a[0] - b[0]);
    assert.ok(ranges.every(([begin, end]) => begin >= record.offset && end <= record.offset + record.size));
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]![0] >= ranges[i - 1]![1], 'views overlap');
    assert.ok(ranges.filter(([begin]) => begin > record.offset).length === ranges.length - 1, 'all but the first view have a storage offset');
    assert.ok([...bin.tensors.values()].every(isContiguous));
  });
}

test('IP-Adapter manifests of the real files are told apart by names and shapes', () => {
  const expected: Record<string, [string, string, string, number]> = {
    'ip-adapter-faceid_sd15.bin': ['sd15', 'faceid', 'mlp', 4],
    'ip-adapter-faceid-plus_sd15.bin': ['sd15', 'faceid-plus', 'proj-plus', 4],
    'ip-adapter-faceid-plusv2_sd15.bin': ['sd15', 'faceid-plus', 'proj-plus', 4],
    'ip-adapter-faceid-portrait_sd15.bin': ['sd15', 'faceid-portrait', 'mlp', 16],
    'ip-adapter-faceid_sdxl.bin': ['sdxl', 'faceid', 'mlp', 4],
    'ip-adapter-faceid-plusv2_sdxl.bin': ['sdxl', 'faceid-plus', 'proj-plus', 4],
    'ip-adapter-faceid-portrait_sdxl.bin': ['sdxl', 'faceid-portrait', 'mlp', 16],
    'ip-adapter-faceid-portrait_sdxl_unnorm.bin': ['sdxl', 'faceid-portrait', 'resampler', 16],
  };
  for (const [file, [base, variant, projection, tokens]] of Object.entries(expected)) {
    const tensors = (bins[file] as { tensors: Shapes }).tensors;
    const info = describeIpAdapter(new Map(Object.entries(tensors).map(([n, { shape }]) => [n, shape])), file);
    assert.deepEqual([info.base, info.variant, info.projection, info.tokens], [base, variant, projection, tokens], file);
    assert.equal(info.crossAttentionDim, base === 'sd15' ? 768 : 2048, file);
  }
});

test('attention processor order from canonical names matches diffusers for the tiny, SD1.5 and SDXL UNets', async () => {
  const tiny = await openCheckpoint(fixture('sd15-tiny'));
  const expectedTiny = Object.entries(keys.processor_index_to_name).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, n]) => `unet.${n.replace(/\.processor$/, '')}`);
  assert.deepEqual(attentionProcessorOrder(tiny.tensors.keys()), expectedTiny);
  for (const [manifest, order] of [['sd15_diffusers.json', 'processor_order_sd15'], ['sdxl_diffusers.json', 'processor_order_sdxl']] as const) {
    const expected = (bins[order] as string[]).map((n) => `unet.${n.replace(/\.processor$/, '')}`);
    assert.deepEqual(attentionProcessorOrder(manifestUnet(manifest).keys()), expected, manifest);
  }
});

test('canonical UNet names map back to their LDM names (inverse of the LDM table)', () => {
  for (const file of ['sd15_ldm.json', 'sdxl_ldm.json']) {
    const ldm = (JSON.parse(readFileSync(fixture('manifests', file), 'utf8')) as { tensors: Shapes }).tensors;
    const unetOnly = new Map(
      Object.entries(ldm)
        .filter(([n]) => n.startsWith('model.diffusion_model.'))
        .map(([n, { shape }]) => [n, { name: n, dtype: 'F32' as const, shape, file: 'manifest', offset: 0, byteLength: 0 }]),
    );
    const { tensors } = canonicalFromLdm(unetOnly);
    const levels = upLevelsWithAttention(tensors.keys());
    const back = [...tensors.keys()].map((n) => `model.diffusion_model.${unetNameToLdm(n.slice('unet.'.length), levels)}`);
    assert.deepEqual(back.sort(), [...unetOnly.keys()].sort(), file);
  }
});

test('the FaceID LoRA: kohya safetensors (with and without alpha) and the .bin resolve to the same targets and bytes', async () => {
  const model = await openCheckpoint(fixture('sd15-tiny'));
  const bin = await openLora(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), model);
  const kohya = await openLora(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), model);
  const withAlpha = await openLora(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora_with_alpha.safetensors'), model);
  assert.equal(bin.format, 'ip-adapter-bin');
  assert.equal(kohya.format, 'kohya');
  for (const lora of [bin, kohya, withAlpha]) {
    assert.deepEqual(lora.unmatched, []);
    assert.equal(lora.entries.length, 128);
  }
  assert.ok(kohya.entries.every((e) => e.alpha === undefined));
  assert.ok(withAlpha.entries.every((e) => e.alpha === e.down.shape[0]));
  const binByTarget = new Map(bin.entries.map((e) => [e.target, e]));
  const binTensors = (await openIpAdapter(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'))).tensors;
  for (const entry of kohya.entries) {
    const twin = binByTarget.get(entry.target);
    assert.ok(twin, `${entry.target} missing from the .bin LoRA`);
    assert.ok(Buffer.from(await readTensorBytes(entry.down)).equals(Buffer.from(await readTensorBytes(twin.down))), `${entry.target} down`);
    assert.ok(Buffer.from(await readTensorBytes(entry.up)).equals(Buffer.from(await readTensorBytes(twin.up))), `${entry.target} up`);
    // The fixture's own key map agrees on which .bin tensor each kohya tensor is.
    const kohyaName = entry.down.name;
    assert.equal(`ip_adapter.${keys.kohya_lora_key_map[kohyaName]}`, twin.down.name);
  }
});

test('kohya LoRA manifests of the real SD1.5 and SDXL FaceID LoRAs resolve fully against the real UNets', async () => {
  for (const [file, unet] of [['ip-adapter-faceid_sd15_lora.safetensors', 'sd15_diffusers.json'], ['ip-adapter-faceid_sdxl_lora.safetensors', 'sdxl_diffusers.json']] as const) {
    const tensors = (bins[file] as { tensors: Shapes }).tensors;
    const descriptors = new Map(Object.entries(tensors).map(([n, { shape }]) => [n, { name: n, dtype: 'F16' as const, shape, file: 'manifest', offset: 0, byteLength: 0 }]));
    const lora = await resolveLora(file, descriptors, { tensors: manifestUnet(unet) });
    assert.deepEqual(lora.unmatched, [], file);
    assert.equal(lora.entries.length, Object.keys(tensors).length / 2, file);
  }
});

test('a LoRA for the wrong base is refused with a typed error; a non-LoRA file is a wrong-kind error', async () => {
  const tiny = await openCheckpoint(fixture('sd15-tiny'));
  await assert.rejects(openLora(fixture('sd15-tiny.safetensors'), tiny), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.wrong-kind');
  const tensors = (bins['ip-adapter-faceid_sd15_lora.safetensors'] as { tensors: Shapes }).tensors;
  const descriptors = new Map(Object.entries(tensors).map(([n, { shape }]) => [n, { name: n, dtype: 'F16' as const, shape, file: 'manifest', offset: 0, byteLength: 0 }]));
  await assert.rejects(resolveLora('real.safetensors', descriptors, tiny), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.lora-mismatch' && /another base model/.test(e.hint ?? ''));
});

test('a kohya SDXL LoRA over the UNet and both text encoders (lora_unet_, lora_te1_, lora_te2_) resolves against an SDXL folder and single file', async () => {
  for (const source of [fixture('sdxl', 'sdxl-tiny'), fixture('sdxl', 'sdxl-tiny.safetensors')]) {
    const model = await openCheckpoint(source);
    const targets = {
      lora_unet_down_blocks_2_attentions_0_transformer_blocks_1_attn2_to_k: 'unet.down_blocks.2.attentions.0.transformer_blocks.1.attn2.to_k.weight',
      lora_te1_text_model_encoder_layers_0_self_attn_q_proj: 'text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight',
      lora_te2_text_model_encoder_layers_1_mlp_fc1: 'text_encoder_2.text_model.encoder.layers.1.mlp.fc1.weight',
    };
    const descriptors = new Map<string, TensorDescriptor>();
    for (const [module, target] of Object.entries(targets)) {
      const [out, input] = model.tensors.get(target)!.shape as [number, number];
      for (const [part, shape] of [['lora_down', [4, input]], ['lora_up', [out, 4]]] as const) {
        const name = `${module}.${part}.weight`;
        descriptors.set(name, { name, dtype: 'F16', shape: [...shape], file: 'synthetic', offset: 0, byteLength: 0 });
      }
    }
    const lora = await resolveLora('sdxl-style.safetensors', descriptors, model);
    assert.deepEqual(lora.unmatched, [], source);
    assert.deepEqual(lora.entries.map((e) => e.target).sort(), Object.values(targets).sort(), source);
  }
});
