import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StudioError } from '../base/errors.ts';
import { bundledCatalog, loadCatalog, parseCatalog } from './catalog.ts';
import { FACEID_VARIANTS } from './catalog-schema.ts';

test('the bundled catalog parses and every dependency resolves', () => {
  const catalog = loadCatalog();
  assert.ok(catalog.entries.length >= 20);
  for (const entry of catalog.entries) {
    const closure = catalog.withDependencies(entry.id);
    assert.equal(closure.at(-1)?.id, entry.id, 'the entry itself comes last');
    for (const dependency of entry.dependencies) assert.ok(closure.some((e) => e.id === dependency));
  }
});

test('every FaceID adapter with a LoRA pulls the LoRA of its own variant and base, face models, and the image encoder for Plus', () => {
  const catalog = loadCatalog();
  const adapters = catalog.entries.filter((e) => e.kind === 'ip-adapter');
  assert.deepEqual(new Set(adapters.map((a) => a.variant)), new Set(FACEID_VARIANTS));
  for (const adapter of adapters) {
    const needs = catalog.withDependencies(adapter.id);
    const kinds = needs.map((e) => e.kind);
    assert.ok(kinds.includes('face-detector') && kinds.includes('face-recognizer'), adapter.id);
    const loras = needs.filter((e) => e.kind === 'lora');
    if (adapter.variant?.startsWith('portrait')) assert.equal(loras.length, 0, `${adapter.id}: Portrait has no LoRA`);
    else {
      assert.equal(loras.length, 1, adapter.id);
      assert.equal(loras[0]?.variant, adapter.variant);
      assert.equal(loras[0]?.base, adapter.base);
    }
    assert.equal(kinds.includes('image-encoder'), adapter.variant?.startsWith('faceid-plus') ?? false, adapter.id);
    assert.ok(adapter.licence.nonCommercial, `${adapter.id} is research-only (spec §0)`);
  }
});

test('no hash is invented: every entry without a published source is unverified', () => {
  for (const entry of loadCatalog().entries) {
    if (entry.sha256 !== null) assert.ok(entry.sha256Source, entry.id);
  }
});

test('a dangling dependency, a cycle, a duplicate id and a malformed entry are refused with model.catalog-invalid', () => {
  const good = structuredClone(bundledCatalog) as { entries: Array<Record<string, unknown>> };
  const variants: Array<(c: typeof good) => void> = [
    (c) => (c.entries[0]!.dependencies = ['no-such-model']),
    (c) => {
      c.entries[0]!.dependencies = [c.entries[1]!.id];
      c.entries[1]!.dependencies = [c.entries[0]!.id];
    },
    (c) => c.entries.push({ ...c.entries[0]! }),
    (c) => (c.entries[0]!.sha256 = 'not-a-hash'),
  ];
  for (const change of variants) {
    const copy = structuredClone(good);
    change(copy);
    assert.throws(() => parseCatalog(JSON.stringify(copy)), (e: unknown) => e instanceof StudioError && e.code === 'model.catalog-invalid');
  }
  assert.throws(() => parseCatalog('{'), (e: unknown) => e instanceof StudioError && e.code === 'model.catalog-invalid');
});

test('LCM-LoRAs carry the LCM settings, VAEs are for the VAE choice, and the recommended checkpoint is the baked-VAE build', () => {
  const catalog = loadCatalog();
  for (const id of ['lcm-lora-sd15', 'lcm-lora-sdxl']) {
    const entry = catalog.get(id);
    assert.equal(entry.kind, 'lora');
    assert.deepEqual([entry.usage?.sampler, entry.usage?.steps.min, entry.usage?.steps.max, entry.usage?.cfg.min, entry.usage?.cfg.max], ['LCM', 4, 8, 1, 2], id);
  }
  assert.deepEqual(catalog.entries.filter((e) => e.kind === 'vae').map((e) => [e.id, e.base]), [['sd15-vae-ft-mse', 'sd15'], ['sdxl-vae-fp16-fix', 'sdxl']]);
  const rv = catalog.get('sd15-realistic-vision-5.1');
  assert.equal(rv.sha256?.slice(0, 10), '15012c538f', 'A1111 Model hash of realisticVisionV51_v51VAE');
  // A LoRA tag names its file by the stem, so catalog LoRAs are saved under names a tag can hold.
  for (const entry of catalog.entries) if (entry.kind === 'lora') assert.match(entry.fileName, /^[A-Za-z0-9_.+-]+\.safetensors$/u, entry.id);
});
