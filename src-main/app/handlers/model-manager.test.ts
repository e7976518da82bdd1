// The models section through the contract: readiness over the studio folder and the user's roots (the tiny fixture
// models), commercial-clean mode and the research-licence acknowledgement, refused downloads as typed errors or
// failed-download events (nothing is fetched), and the self-test button.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Model, ModelsInventory, ModelsReadiness } from '../../../src-preload/contract/models.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { waitUntil } from '../../../test/helpers/wait-until.ts';
import { composeStudio } from '../compose.ts';

test('readiness follows the model roots in Settings; commercial-clean hides research-only features; downloads are refused with reasons', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  const call = async <T>(method: string, request: unknown = {}): Promise<T> => {
    const result = await studio.dispatch(method, request);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.userMessage}`);
    return result.value as T;
  };
  const empty = await call<ModelsReadiness>('models.readiness');
  const faceAnalysis = (report: ModelsReadiness) => report.features.find((f) => f.id === 'face-analysis');
  assert.equal(faceAnalysis(empty)?.status, 'missing');
  assert.ok(faceAnalysis(empty)?.pieces.some((p) => p.action?.type === 'download'), 'a missing piece says how to get it');

  await call('settings.update', { modelFolders: [fixture('face', 'models')] });
  const withRoots = await call<ModelsReadiness>('models.readiness', { rescan: true });
  assert.ok(faceAnalysis(withRoots)?.pieces.every((p) => p.foundAt?.startsWith(fixture('face', 'models'))), JSON.stringify(faceAnalysis(withRoots)?.pieces));

  const events: { id: string; state: string; error?: { code: string } }[] = [];
  studio.events.subscribe((envelope) => {
    if (envelope.event === 'models.download') events.push(envelope.payload as (typeof events)[number]);
  });
  const clean = await call<ModelsReadiness>('models.setCommercialClean', { on: true });
  assert.equal(clean.commercialClean, true);
  assert.equal(studio.library.settings.get().commercialClean, true);
  assert.ok(clean.features.some((f) => f.status === 'hidden' && f.hiddenReason !== null));
  assert.deepEqual(await call('models.download', { id: 'faceid-sd15' }), { started: true });
  await waitUntil(() => events.length > 0, { what: 'a models.download event' });
  assert.deepEqual([events[0]!.id, events[0]!.state, events[0]!.error?.code], ['faceid-sd15', 'failed', 'model.hidden-by-commercial-clean']);

  const unknown = await studio.dispatch('models.download', { id: 'no-such-model' });
  assert.equal(!unknown.ok && unknown.error.code, 'model.unknown-id');
  await call('models.setCommercialClean', { on: false });
  const acknowledged = await call<ModelsReadiness>('models.acknowledgeNonCommercial');
  assert.equal(acknowledged.nonCommercialAcknowledged, true);
  assert.ok(acknowledged.features.every((f) => !f.needsAcknowledgement));
});

test('the self-test button runs the whole pipeline on tiny models made here', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  const result = await studio.dispatch('models.selftest', {});
  assert.ok(result.ok, JSON.stringify(result));
  const report = result.value as { passed: boolean; steps: { name: string; status: string; detail: string }[] };
  assert.equal(report.passed, true, JSON.stringify(report.steps));
  assert.ok(report.steps.some((s) => /txt2img/u.test(s.name) && s.status === 'passed'));
});

test('models.list shows what the scan identified: a diffusers folder is one checkpoint, adapters and face models by content, each with its base', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  assert.ok((await studio.dispatch('settings.update', { modelFolders: [fixture()] })).ok);
  const listed = await studio.dispatch('models.list', {});
  assert.ok(listed.ok);
  const models = (listed.value as { models: Model[] }).models;
  const kindOf = (file: string) => models.find((m) => m.path === file)?.kind;
  const baseOf = (file: string) => models.find((m) => m.path === file)?.base;
  assert.equal(kindOf(fixture('sd15-tiny')), 'checkpoint');
  assert.ok(!models.some((m) => m.path.startsWith(`${fixture('sd15-tiny')}/`)), 'its parts are not listed one by one');
  assert.ok(!models.some((m) => m.path.endsWith('.json')), 'configs and other non-model files are left out');
  assert.equal(kindOf(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin')), 'ip-adapter');
  assert.equal(kindOf(fixture('face', 'models', 'det_10g.onnx')), 'face-detector');
  assert.deepEqual([baseOf(fixture('sd15-tiny')), baseOf(fixture('sdxl', 'sdxl-tiny')), baseOf(fixture('sdxl', 'ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin'))], ['sd15', 'sdxl', 'sdxl']);
  assert.equal(models.find((m) => m.path === fixture('sdxl', 'sdxl-tiny'))?.isFullSize, false, 'a tiny test model is not taken for a real one');
  // Every SDXL fixture by content: the single file, each FaceID variant's adapter and the kohya-named FaceID LoRA.
  const sdxlFiles = ['sdxl-tiny.safetensors', ...readdirSync(fixture('sdxl', 'ipadapter-sdxl-tiny')).filter((f) => /\.(bin|safetensors)$/u.test(f)).map((f) => path.join('ipadapter-sdxl-tiny', f))];
  for (const file of sdxlFiles) assert.equal(baseOf(fixture('sdxl', file)), 'sdxl', file);
  assert.equal(baseOf(fixture('face', 'models', 'det_10g.onnx')), null);
});

test('models.inventory lists the catalog with licences and what the scan identified (by content); models.providers says CPU works', async (t) => {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  t.after(() => studio.close());
  await studio.dispatch('settings.update', { modelFolders: [fixture('face', 'models')] });
  const result = await studio.dispatch('models.inventory', { rescan: true });
  assert.ok(result.ok, JSON.stringify(result));
  const inventory = result.value as ModelsInventory;
  const insightface = inventory.catalog.find((entry) => entry.id === 'insightface-det-10g');
  assert.equal(insightface?.licence.nonCommercial, true);
  assert.equal(insightface?.installedAt, null, 'nothing is downloaded into the studio folder');
  assert.ok(inventory.catalog.some((entry) => !entry.licence.nonCommercial), 'commercial-friendly entries are listed too');
  const kinds = Object.fromEntries(inventory.found.map((file) => [path.basename(file.path), [file.kind, file.root]]));
  assert.deepEqual(kinds['det_10g.onnx'], ['face-detector', fixture('face', 'models')]);
  assert.deepEqual(kinds['w600k_r50.onnx'], ['face-recognizer', fixture('face', 'models')]);
  assert.ok(inventory.roots.some((root) => root.path === fixture('face', 'models') && root.error === null));

  const providers = await studio.dispatch('models.providers', {});
  assert.ok(providers.ok, JSON.stringify(providers));
  const cpu = (providers.value as { providers: { name: string; works: boolean }[] }).providers.find((p) => p.name === 'cpu');
  assert.equal(cpu?.works, true);
});
