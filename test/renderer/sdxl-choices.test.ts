// The Generate form per checkpoint base: which adapters an SD1.5 or SDXL checkpoint is offered (identified base first,
// the name where the scan could not tell), what switching base does to the form, the sizes offered per base, and the
// SDXL size conditioning sent only when changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import type { Model } from '../../src-preload/contract/models.ts';
import { DEFAULT_FORM, acceptStoredForm, formWithModel, toParams } from '../../src-renderer/features/generate/generate-form.ts';
import { baseOf, checkpointBase, modelChoices } from '../../src-renderer/features/generate/model-choices.ts';
import { changedConditioning, defaultSize, sideLimits, sizePresets, snapSide } from '../../src-renderer/features/generate/sizes.ts';

const model = (name: string, kind: Model['kind'], base: Model['base'] = null, isFullSize: boolean | null = null): Model => ({ path: `/m/${name}`, name, kind, base, isFullSize, sizeBytes: 1, root: '/m' });

const library = [
  model('sd15-tiny', 'checkpoint', 'sd15', false),
  model('sdxl-tiny', 'checkpoint', 'sdxl', false),
  model('juggernautXL_v9.safetensors', 'unidentified'),
  model('ip-adapter-faceid-plusv2_sd15.bin', 'ip-adapter', 'sd15', true),
  // Identified by content as SDXL whatever its name says.
  model('my-faceid-adapter.bin', 'ip-adapter', 'sdxl', true),
  model('ip-adapter-faceid-plusv2_sdxl.bin', 'unidentified'),
  model('ip-adapter-faceid-portrait_sdxl.safetensors', 'ip-adapter', 'sdxl', true),
  model('ip-adapter-faceid_sdxl_lora.safetensors', 'lora', 'sdxl', true),
];

test('adapters are offered per base: the identified base decides, the name where the scan could not tell', () => {
  const choices = modelChoices(library);
  assert.deepEqual(choices.checkpoints.map((m) => [m.name, baseOf(m)]), [['sd15-tiny', 'sd15'], ['sdxl-tiny', 'sdxl'], ['juggernautXL_v9.safetensors', 'sdxl']]);
  assert.deepEqual([...choices.adapters.sd15.keys()], ['faceid-plusv2']);
  assert.deepEqual([...choices.adapters.sdxl.entries()].map(([variant, m]) => [variant, m.name]), [
    ['faceid', 'my-faceid-adapter.bin'],
    ['faceid-plusv2', 'ip-adapter-faceid-plusv2_sdxl.bin'],
    ['faceid-portrait', 'ip-adapter-faceid-portrait_sdxl.safetensors'],
  ]);
  // Names that merely contain the letters are not SDXL; no checkpoint chosen means SD1.5, the form's defaults.
  assert.equal(baseOf(model('pixlart-v2.safetensors', 'unidentified')), 'sd15');
  assert.equal(baseOf(model('sd_xl_base_1.0.safetensors', 'unidentified')), 'sdxl');
  assert.equal(checkpointBase(undefined), 'sd15');
});

test('switching to an SDXL checkpoint: 1024², the variant moves to one SDXL has, and no SD1.5 adapter is kept', () => {
  const choices = modelChoices([model('sd15-tiny', 'checkpoint', 'sd15'), model('sdxl-tiny', 'checkpoint', 'sdxl'), model('ip-adapter-faceid-plusv2_sd15.bin', 'ip-adapter', 'sd15'), model('ip-adapter-faceid_sdxl.bin', 'ip-adapter', 'sdxl')]);
  const sd15 = formWithModel({ ...DEFAULT_FORM, variant: 'faceid-plusv2', width: 576 }, '/m/sd15-tiny', 'sd15', 'sd15', choices.adapters.sd15);
  assert.deepEqual([sd15.variant, sd15.width, sd15.height], ['faceid-plusv2', 576, 768], 'same base: the size the user chose stays');
  const sdxl = formWithModel({ ...sd15, sizeConditioning: { cropTop: 8 } }, '/m/sdxl-tiny', 'sd15', 'sdxl', choices.adapters.sdxl);
  assert.deepEqual([sdxl.model, sdxl.variant, sdxl.width, sdxl.height, sdxl.sizeConditioning], ['/m/sdxl-tiny', 'faceid', 1024, 1024, {}]);
  assert.equal(choices.adapters.sdxl.get(sdxl.variant)?.name, 'ip-adapter-faceid_sdxl.bin');
  // Back to SD1.5: its default size, and Plus v2 has no SDXL file so the SD1.5 map alone is asked.
  const back = formWithModel(sdxl, '/m/sd15-tiny', 'sdxl', 'sd15', choices.adapters.sd15);
  assert.deepEqual([back.variant, back.width, back.height], ['faceid-plusv2', 512, 768]);
  // A base with no adapter at all keeps the variant (the picker then says it is not installed for that base).
  assert.equal(formWithModel(sd15, '/m/sdxl-tiny', 'sd15', 'sdxl', new Map()).variant, 'faceid-plusv2');
});

test('sizes: SDXL offers its trained buckets and starts at 1024²; SD1.5 keeps its presets; typed sides snap to 8 within the range', () => {
  assert.deepEqual(sizePresets('sdxl').map((p) => `${p.width}x${p.height}`), ['1024x1024', '1152x896', '896x1152', '1216x832', '832x1216', '1344x768', '768x1344', '1536x640', '640x1536']);
  assert.ok(sizePresets('sd15').some((p) => p.width === 512 && p.height === 768));
  assert.ok(sizePresets('sd15').every((p) => p.width <= 912 && p.height <= 896), 'no SDXL sizes among SD1.5 presets');
  assert.deepEqual(defaultSize('sdxl'), { width: 1024, height: 1024 });
  assert.deepEqual(sideLimits('sdxl', true), { min: 512, max: 2048 });
  assert.deepEqual(sideLimits('sdxl', null), { min: 512, max: 2048 }, 'an unidentified SDXL is taken for a real one');
  assert.deepEqual(sideLimits('sdxl', false), { min: 64, max: 2048 }, 'a tiny test model runs at 64 px');
  assert.deepEqual(sideLimits('sd15', true), { min: 64, max: 2048 });
  assert.equal(snapSide(300, sideLimits('sdxl', true)), 512);
  assert.equal(snapSide(1021, sideLimits('sdxl', true)), 1024);
  assert.equal(snapSide(5000, sideLimits('sd15', true)), 2048);
});

test('SDXL size conditioning is sent only for SDXL and only the values that differ from the image size and crop 0, 0', () => {
  const form = { ...DEFAULT_FORM, model: '/m/sdxl-tiny', width: 64, height: 64 };
  assert.equal(changedConditioning({ originalWidth: 64, cropTop: 0 }, form), undefined);
  assert.equal(toParams({ ...form, sizeConditioning: { originalWidth: 64 } }, undefined, 1, undefined, 'sdxl').sizeConditioning, undefined);
  const params = GenerationParamsSchema.parse(toParams({ ...form, sizeConditioning: { originalWidth: 80, originalHeight: 64, cropTop: 8 } }, undefined, 1, undefined, 'sdxl'));
  assert.deepEqual(params.sizeConditioning, { originalWidth: 80, cropTop: 8 });
  assert.equal(toParams({ ...form, sizeConditioning: { cropTop: 8 } }, undefined, 1, undefined, 'sd15').sizeConditioning, undefined, 'SD1.5 has no size conditioning');
  // A stored form keeps valid conditioning and drops a damaged one.
  assert.deepEqual(acceptStoredForm({ sizeConditioning: { cropLeft: 16 } })?.sizeConditioning, { cropLeft: 16 });
  assert.deepEqual(acceptStoredForm({ sizeConditioning: { cropLeft: -1 } })?.sizeConditioning, {});
  assert.deepEqual(acceptStoredForm({ sizeConditioning: null })?.sizeConditioning, {});
});
