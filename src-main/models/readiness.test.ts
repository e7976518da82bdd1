import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { fixture } from '../../test/helpers/fixtures.ts';
import { main } from '../cli/faceid.ts';
import { ModelManager } from './model-manager.ts';
import type { ReadinessReport } from './readiness.ts';

let folder: string;
const empty = () => path.join(folder, 'empty');
const filled = () => path.join(folder, 'filled');

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-readiness-'));
  await mkdir(empty());
  // A studio folder holding the tiny SD1.5 set under deliberately unhelpful names, and no CLIP tokenizer: the app ships one.
  const place: Array<[string, string[]]> = [
    ['checkpoints/a.safetensors', ['sd15-tiny.safetensors']],
    ['ipadapter/b.safetensors', ['ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.safetensors']],
    ['ipadapter/c.safetensors', ['ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors']],
    ['ipadapter/d.safetensors', ['ipadapter-tiny', 'ip-adapter-faceid-portrait_sd15_tiny.safetensors']],
    ['clip_vision/e.safetensors', ['ipadapter-tiny', 'image_encoder', 'model.safetensors']],
    ['misc/f.onnx', ['face', 'models', 'det_10g.onnx']],
    ['misc/g.onnx', ['face', 'models', 'w600k_r50.onnx']],
  ];
  for (const [relative, source] of place) {
    await mkdir(path.dirname(path.join(filled(), relative)), { recursive: true });
    await copyFile(fixture(...source), path.join(filled(), relative));
  }
});
after(() => rm(folder, { recursive: true, force: true }));

function manager(modelsDir: string): ModelManager {
  return new ModelManager({ modelsDir, stateDir: path.join(modelsDir, '.faceid') });
}

const feature = (report: ReadinessReport, id: string) => report.features.find((f) => f.id === id)!;

test('an empty folder: nothing is ready and every missing piece has one action (download from the catalog)', async () => {
  const report = await manager(empty()).readiness();
  assert.ok(report.features.every((f) => f.status === 'missing'));
  for (const f of report.features) {
    for (const piece of f.pieces) {
      assert.equal(piece.foundAt, null);
      assert.equal(piece.action?.type, 'download', `${f.id}: ${piece.role}`);
    }
  }
  const plus = feature(report, 'faceid-plusv2-sd15');
  assert.deepEqual(plus.pieces.map((p) => p.action?.type === 'download' && p.action.catalogId), [
    'sd15-realistic-vision-5.1', 'faceid-plusv2-sd15', 'faceid-plusv2-sd15-lora', 'clip-vit-h14-image-encoder', 'insightface-det-10g', 'insightface-w600k-r50',
  ]);
  assert.ok(plus.nonCommercial && plus.needsAcknowledgement);
});

test('a filled folder: SD1.5 features are ready, the LoRA is found inside the adapter, SDXL still missing', async () => {
  const models = manager(filled());
  const report = await models.readiness();
  for (const id of ['txt2img-sd15', 'faceid-sd15', 'faceid-plusv2-sd15', 'portrait-sd15', 'face-analysis']) assert.equal(feature(report, id).status, 'ready', id);
  for (const id of ['txt2img-sdxl', 'faceid-sdxl', 'faceid-plusv2-sdxl', 'portrait-sdxl']) assert.equal(feature(report, id).status, 'missing', id);
  const faceid = feature(report, 'faceid-sd15');
  const lora = faceid.pieces.find((p) => p.role === 'paired-lora')!;
  assert.equal(lora.foundSummary, 'inside the adapter file');
  assert.equal(lora.foundAt, path.join(filled(), 'ipadapter/b.safetensors'));
  assert.equal(faceid.pieces.find((p) => p.role === 'adapter')?.foundAt, path.join(filled(), 'ipadapter/b.safetensors'));
  assert.equal(feature(report, 'faceid-plusv2-sd15').pieces.find((p) => p.role === 'image-encoder')?.foundAt, path.join(filled(), 'clip_vision/e.safetensors'));
  // SDXL needs its own checkpoint and adapter but reuses the face models already there.
  const sdxl = feature(report, 'faceid-sdxl');
  assert.deepEqual(sdxl.pieces.filter((p) => p.foundAt === null).map((p) => p.role), ['checkpoint', 'adapter', 'paired-lora']);

  await models.acknowledgeNonCommercial();
  assert.equal(feature(await models.readiness(), 'faceid-sd15').needsAcknowledgement, false);
});

test('commercial-clean mode hides research-only features and says what remains', async () => {
  const models = manager(filled());
  await models.setCommercialClean(true);
  try {
    const report = await models.readiness();
    assert.equal(feature(report, 'faceid-sd15').status, 'hidden');
    assert.equal(feature(report, 'face-analysis').status, 'hidden');
    assert.equal(feature(report, 'txt2img-sd15').status, 'ready');
    assert.match(report.summary, /Still available: Text to image \(SD1\.5\), Text to image \(SDXL\)/);
    const missingSdxlAdapter = feature(report, 'faceid-sdxl').pieces.find((p) => p.role === 'adapter');
    assert.equal(missingSdxlAdapter?.action?.type, 'explain');
  } finally {
    await models.setCommercialClean(false);
  }
});

async function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await main(args, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: text };
}

test('faceid doctor prints missing vs present models for an empty and a filled folder, as text and JSON', async () => {
  const emptyRun = await runCli(['doctor', '--models', empty(), '--no-providers']);
  assert.equal(emptyRun.code, 0);
  assert.match(emptyRun.stdout, /\[--\] {2}FaceID \(SD1\.5\) {2}\(non-commercial research only\)/);
  assert.match(emptyRun.stdout, /need {2}FaceID adapter \(SD1\.5\) → download "faceid-sd15"/);
  assert.match(emptyRun.stdout, /0 of 9 features ready/);

  const filledRun = await runCli(['doctor', '--models', filled(), '--json']);
  assert.equal(filledRun.code, 0);
  const report = JSON.parse(filledRun.stdout) as { readiness: ReadinessReport; executionProviders: Array<{ name: string; works: boolean }> };
  assert.equal(feature(report.readiness, 'faceid-plusv2-sd15').status, 'ready');
  assert.equal(feature(report.readiness, 'txt2img-sdxl').status, 'missing');
  assert.ok(report.executionProviders.some((p) => p.name === 'cpu' && p.works), 'the CPU provider works');
});
