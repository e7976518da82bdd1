import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from './catalog.ts';
import { catalogPresence } from './catalog-presence.ts';
import type { ModelIdentity } from './identity.ts';
import type { ScannedFile } from './scan.ts';

const catalog = loadCatalog();
const entry = (id: string) => catalog.get(id);

function scanned(path: string, sizeBytes: number, identity: Partial<ModelIdentity> & Pick<ModelIdentity, 'kind'>): ScannedFile {
  return { path, sizeBytes, mtimeMs: 0, root: '/comfy/models', layoutFolder: null, fromCache: false, identity: { base: null, isFullSize: true, summary: 'x', ...identity } };
}

const comfyAdapter = scanned('/comfy/models/ipadapter/my-faceid.bin', 96_740_574, { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true });

test('at its catalog location it is "downloaded"; elsewhere the same model (content + size) is "found" even renamed', () => {
  const faceid = entry('faceid-sd15');
  assert.deepEqual(catalogPresence(faceid, '/studio/models/ipadapter/ip-adapter-faceid_sd15.bin', true, [comfyAdapter]), { path: '/studio/models/ipadapter/ip-adapter-faceid_sd15.bin', how: 'downloaded' });
  assert.deepEqual(catalogPresence(faceid, '/studio/models/ipadapter/ip-adapter-faceid_sd15.bin', false, [comfyAdapter]), { path: comfyAdapter.path, how: 'found' });
});

test('another variant, another base, a tiny test model or a size far off is not that catalog model', () => {
  const faceid = entry('faceid-sd15');
  const destination = '/studio/models/ipadapter/ip-adapter-faceid_sd15.bin';
  for (const file of [
    { ...comfyAdapter, identity: { ...comfyAdapter.identity!, variant: 'faceid-plusv2' as const } },
    { ...comfyAdapter, identity: { ...comfyAdapter.identity!, base: 'sdxl' as const } },
    { ...comfyAdapter, identity: { ...comfyAdapter.identity!, isFullSize: false } },
    { ...comfyAdapter, sizeBytes: 80_000_000 },
    { ...comfyAdapter, identity: null },
  ]) {
    assert.equal(catalogPresence(faceid, destination, false, [file]), null, JSON.stringify(file.identity));
  }
});

test('an exact catalog size must match exactly; Plus v1 and v2 (same tensors) are told apart by it', () => {
  const plusV2 = entry('faceid-plusv2-sd15');
  const v1 = scanned('/a/plus.bin', entry('faceid-plus-sd15').sizeBytes, { kind: 'ip-adapter', base: 'sd15', variant: 'faceid-plus', alsoPossible: ['faceid-plusv2'] });
  assert.equal(catalogPresence(plusV2, '/studio/x.bin', false, [v1]), null);
  const v2 = { ...v1, sizeBytes: plusV2.sizeBytes };
  assert.equal(catalogPresence(plusV2, '/studio/x.bin', false, [v2])?.how, 'found');
});

test('a checkpoint counts only under its catalog file name: content cannot tell two SD1.5 fine-tunes apart', () => {
  const rv = entry('sd15-realistic-vision-5.1');
  const other = scanned('/a1111/models/Stable-diffusion/some-finetune.safetensors', rv.sizeBytes, { kind: 'checkpoint', base: 'sd15' });
  assert.equal(catalogPresence(rv, '/studio/models/checkpoints/x', false, [other]), null);
  const same = { ...other, path: `/a1111/models/Stable-diffusion/${rv.fileName}` };
  assert.deepEqual(catalogPresence(rv, '/studio/models/checkpoints/x', false, [same]), { path: same.path, how: 'found' });
});
