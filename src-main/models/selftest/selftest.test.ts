import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runSelftest } from './run-selftest.ts';
import { faceIdAdapterSpecs } from './tiny-faceid.ts';
import { ensureTinyModelSet, tinySd15Config } from './tiny-model-set.ts';
import { attentionProcessorWidths, sd15CheckpointSpecs } from './tiny-sd15.ts';

let cacheDir: string;
before(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'faceid-selftest-'));
});
after(() => rm(cacheDir, { recursive: true, force: true }));

test('the generated SD1.5 checkpoint has exactly the reference tiny topology (every LDM key and shape)', () => {
  const reference = JSON.parse(readFileSync(fixture('sd15-tiny', 'ldm_keys.json'), 'utf8')) as Record<string, { shape: number[] }>;
  const vocabSize = reference['cond_stage_model.transformer.text_model.embeddings.token_embedding.weight']!.shape[0]!;
  const generated = new Map(sd15CheckpointSpecs(tinySd15Config(vocabSize)).map((s) => [s.name, s.shape]));
  assert.equal(generated.size, Object.keys(reference).length);
  for (const [name, { shape }] of Object.entries(reference)) assert.deepEqual(generated.get(name), shape, name);
});

test('the generated FaceID adapter has the reference keys and shapes (processor numbering, LoRA, IP projections)', () => {
  const keys = JSON.parse(readFileSync(fixture('ipadapter-tiny', 'ipadapter_keys.json'), 'utf8')) as {
    'ip-adapter-faceid_sd15_tiny': { keys: Record<'image_proj' | 'ip_adapter', Record<string, { shape: number[] }>> };
    config: { cross_attention_dim: number; lora_rank: number; id_dim: number };
  };
  const reference = keys['ip-adapter-faceid_sd15_tiny'].keys;
  const { cross_attention_dim: contextDim, lora_rank: loraRank, id_dim: idDim } = keys.config;
  const specs = faceIdAdapterSpecs({ processorWidths: attentionProcessorWidths(tinySd15Config(49408)), contextDim, tokens: 4, loraRank, idDim });
  const expected = [
    ...Object.entries(reference.image_proj).map(([k, v]) => [`image_proj.${k}`, v.shape] as const),
    ...Object.entries(reference.ip_adapter).map(([k, v]) => [`ip_adapter.${k}`, v.shape] as const),
  ];
  assert.equal(specs.length, expected.length);
  const generated = new Map(specs.map((s) => [s.name, s.shape]));
  for (const [name, shape] of expected) assert.deepEqual(generated.get(name), shape, name);
});

test('faceid selftest runs face → embedding → tokens → txt2img → identity offline on a fresh cache; the set is reproducible byte for byte and repaired when damaged', async () => {
  const steps: string[] = [];
  // Its budget ("under a minute of CPU") depends on the CPU, so it is a bench figure (selftest.cpu), not checked here.
  const report = await runSelftest({ cacheDir, onStep: (s) => steps.push(`${s.status} ${s.name}`) });
  assert.ok(report.passed, JSON.stringify(report.steps, null, 2));
  assert.deepEqual(steps, [
    'passed tiny model set',
    'passed identify models by content',
    'passed onnxruntime: face detector',
    'passed onnxruntime: face recognizer',
    'passed face → embedding',
    'passed embedding → FaceID tokens',
    'passed txt2img with FaceID',
    'passed identity score',
  ]);
  assert.ok(report.complete);

  const manifestFile = path.join(report.modelFolder, 'manifest.json');
  const manifest = await readFile(manifestFile, 'utf8');
  const reused = await ensureTinyModelSet(cacheDir);
  assert.equal(reused.generated, false);
  // Damage one file: the next run notices by hash, regenerates, and gets identical bytes from the seeds.
  await writeFile(reused.files.detector, 'not a model');
  const repaired = await ensureTinyModelSet(cacheDir);
  assert.equal(repaired.generated, true);
  assert.equal(await readFile(manifestFile, 'utf8'), manifest);
});
