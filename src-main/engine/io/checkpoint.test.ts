import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { StudioError } from '../../base/errors.ts';
import { halfToFloat, floatToHalf } from '../tensors/dtype.ts';
import { canonicalFromLdm, openCheckpoint } from './checkpoint.ts';
import { readTensorBytes, type TensorDescriptor } from './descriptors.ts';
import { isIgnoredLdmName } from './ldm-names.ts';

interface ManifestTensors {
  readonly [name: string]: { readonly shape: readonly number[]; readonly dtype: string };
}

function manifest(file: string): unknown {
  return JSON.parse(readFileSync(fixture('manifests', file), 'utf8'));
}

/** Header-only descriptors from a manifest's names and shapes (no bytes behind them). */
function fakeDescriptors(tensors: ManifestTensors): Map<string, TensorDescriptor> {
  return new Map(Object.entries(tensors).map(([name, { shape }]) => [name, { name, dtype: 'F32', shape, file: 'manifest', offset: 0, byteLength: 0 }]));
}

/** Canonical names and shapes of a diffusers manifest: component prefix + name. */
function canonicalShapes(diffusers: Record<string, { tensors?: ManifestTensors }>): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  for (const [component, part] of Object.entries(diffusers)) {
    if (!part.tensors) continue;
    for (const [name, { shape }] of Object.entries(part.tensors)) shapes.set(`${component}.${name}`, shape);
  }
  return shapes;
}

for (const [base, ldmFile, diffusersFile] of [
  ['SD1.5', 'sd15_ldm.json', 'sd15_diffusers.json'],
  ['SDXL', 'sdxl_ldm.json', 'sdxl_diffusers.json'],
] as const) {
  test(`${base} LDM manifest: every real key maps, one canonical tensor each, and every canonical tensor is found`, () => {
    const ldm = manifest(ldmFile) as { tensors: ManifestTensors };
    const expected = canonicalShapes(manifest(diffusersFile) as Record<string, { tensors?: ManifestTensors }>);
    const { tensors, unmapped } = canonicalFromLdm(fakeDescriptors(ldm.tensors));
    assert.deepEqual(unmapped, [], 'LDM keys without a canonical name');
    const missing = [...expected.keys()].filter((name) => !tensors.has(name));
    const extra = [...tensors.keys()].filter((name) => !expected.has(name));
    assert.deepEqual(missing, [], 'canonical tensors not found in the LDM file');
    assert.deepEqual(extra, [], 'canonical names the diffusers layout does not have');
    for (const [name, shape] of expected) assert.deepEqual(tensors.get(name)!.shape, shape, name);
    // Each LDM key yields distinct canonical tensors (a fused q/k/v yields three): counts add up exactly.
    const fused = Object.keys(ldm.tensors).filter((n) => n.endsWith('attn.in_proj_weight') || n.endsWith('attn.in_proj_bias')).length;
    assert.equal(tensors.size, Object.keys(ldm.tensors).length + 2 * fused);
  });
}

test('DDPM buffers, EMA weights, position ids and logit_scale are ignored, not mapped', () => {
  for (const name of ['alphas_cumprod', 'betas', 'model_ema.decay', 'model_ema.diffusion_modelinput_blocks00weight', 'cond_stage_model.transformer.text_model.embeddings.position_ids', 'conditioner.embedders.1.model.logit_scale']) {
    assert.ok(isIgnoredLdmName(name), name);
  }
  const { tensors, unmapped } = canonicalFromLdm(fakeDescriptors({ alphas_cumprod: { shape: [1000], dtype: 'float32' }, 'model_ema.num_updates': { shape: [], dtype: 'int64' } }));
  assert.equal(tensors.size, 0);
  assert.deepEqual(unmapped, []);
});

test('tiny SD1.5: the LDM single file and the diffusers folder give the same canonical tensors, bit-equal', async () => {
  const single = await openCheckpoint(fixture('sd15-tiny.safetensors'));
  const folder = await openCheckpoint(fixture('sd15-tiny'));
  assert.equal(single.layout, 'ldm-single-file');
  assert.equal(folder.layout, 'diffusers');
  assert.equal(single.architecture, 'sd15');
  assert.equal(folder.architecture, 'sd15');
  assert.deepEqual([...single.tensors.keys()].sort(), [...folder.tensors.keys()].sort());
  assert.ok(folder.tensors.has('text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight'));
  assert.ok(folder.tensors.has('unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight'));
  assert.ok(folder.configFiles?.unet?.endsWith('unet/config.json'));
  assert.ok(folder.configFiles?.vae && folder.configFiles.text_encoder);
  for (const [name, expected] of folder.tensors) {
    const actual = single.tensors.get(name)!;
    assert.deepEqual(actual.shape, expected.shape, name);
    assert.ok(Buffer.from(await readTensorBytes(actual)).equals(Buffer.from(await readTensorBytes(expected))), `${name} differs`);
  }
  // The mid-block attention came from [C,C,1,1] convs and is presented as [C,C] over the same bytes.
  const q = single.tensors.get('vae.encoder.mid_block.attentions.0.to_q.weight')!;
  assert.equal(q.shape.length, 2);
});

test('tiny SD1.5 fp16 single file equals the fp32 weights rounded to fp16', async () => {
  const fp16 = await openCheckpoint(fixture('sd15-tiny.fp16.safetensors'));
  const fp32 = await openCheckpoint(fixture('sd15-tiny'));
  assert.equal(fp16.tensors.size, fp32.tensors.size);
  for (const [name, reference] of fp32.tensors) {
    const half = fp16.tensors.get(name)!;
    assert.equal(half.dtype, 'F16', name);
    const halves = new Uint16Array((await readTensorBytes(half)).slice().buffer);
    const floats = new Float32Array((await readTensorBytes(reference)).slice().buffer);
    for (let i = 0; i < floats.length; i++) {
      if (halves[i] !== floatToHalf(floats[i]!)) {
        assert.fail(`${name}[${i}]: fp16 ${halfToFloat(halves[i]!)} is not fp32 ${floats[i]} rounded`);
      }
    }
  }
});

test('a missing path is a typed not-found error', async () => {
  await assert.rejects(openCheckpoint(fixture('no-such-model.safetensors')), (e: unknown) => e instanceof StudioError && e.code === 'checkpoint.not-found');
});
