// `<lora:name:weight>` in a prompt, through the studio's queue and the engine (worker thread) on the tiny fixture model:
// the tag at 0 paints exactly what no LoRA paints, a real weight changes the picture, and an unknown name fails the
// job before any work with a message naming the tag.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { composeStudio, type Studio } from '../../src-main/app/compose.ts';
import { readEnvironment } from '../../src-main/app/environment.ts';
import { workerThreadGeneration } from '../../src-main/app/host-generation.ts';
import type { Generation } from '../../src-preload/contract/generations.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'faceid-prompt-loras-'));
let studio: Studio;
const ended = new Map<string, Job>();
const created: Generation[] = [];

before(async () => {
  const models = path.join(folder, 'models');
  mkdirSync(path.join(models, 'Lora'), { recursive: true });
  symlinkSync(fixture('sd15-tiny'), path.join(models, 'sd15-tiny'));
  // A kohya UNet LoRA for the tiny model, under a name as users give their style LoRAs. Copied: onnxruntime refuses
  // external data whose real path lies outside the compiled model's folder, which a symlink's does.
  copyFileSync(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), path.join(models, 'Lora', 'film grain.safetensors'));
  const env = { ...process.env, FACEID_FACE_MODELS: fixture('face', 'models'), FACEID_COMPILED_DIR: path.join(folder, 'compiled') };
  studio = composeStudio({ libraryFolder: path.join(folder, 'library'), generation: workerThreadGeneration(readEnvironment(env)) });
  assert.ok((await studio.dispatch('settings.update', { modelFolders: [models] })).ok);
  studio.events.subscribe(({ event, payload }) => {
    if (event === 'job.updated') {
      const { job } = payload as { job: Job };
      if (['done', 'failed', 'cancelled'].includes(job.state)) ended.set(job.id, job);
    }
    if (event === 'generation.created') created.push((payload as { generation: Generation }).generation);
  });
});

after(async () => {
  await studio.stop();
  rmSync(folder, { recursive: true, force: true });
});

async function run(prompt: string): Promise<{ job: Job; pixels?: Buffer; parameters?: string }> {
  const params = { model: path.join(folder, 'models', 'sd15-tiny'), prompt, seed: 3, steps: 3, cfg: 7, sampler: 'Euler' as const, width: 64, height: 64 };
  const queued = await studio.dispatch('jobs.enqueue', { params });
  assert.ok(queued.ok, JSON.stringify(queued));
  const id = (queued.value as Job).id;
  const job = await waitUntil(() => ended.get(id), { what: `job for "${prompt}"`, timeoutMs: 120_000 });
  const generation = created.find((g) => g.jobId === id);
  if (generation === undefined) return { job };
  const png = readFileSync(path.join(studio.library.folder, generation.image));
  return { job, pixels: await sharp(png).raw().toBuffer(), parameters: readPngTexts(png).parameters ?? '' };
}

test('a LoRA tag at 0 equals no LoRA; at 0.8 it changes the picture and its hash is recorded', async () => {
  const plain = await run('a red house');
  const zero = await run('a red house <lora:film grain:0>');
  const strong = await run('a red house <lora:film grain:0.8>');
  for (const r of [plain, zero, strong]) assert.equal(r.job.state, 'done', JSON.stringify(r.job.error));
  assert.deepEqual(zero.pixels, plain.pixels);
  assert.notDeepEqual(strong.pixels, plain.pixels);
  assert.match(strong.parameters!, /^a red house <lora:film grain:0\.8>\n/u, 'the tag stays in the prompt as written');
  assert.match(strong.parameters!, /Lora hashes: "film grain: [0-9a-f]{12}"/u);
});

test('an unknown LoRA name fails the job before any work, naming the tag', async () => {
  const { job } = await run('a red house <lora:no such lora:1>');
  assert.equal(job.state, 'failed');
  assert.match(job.error?.userMessage ?? '', /LoRA "no such lora"/u);
  assert.equal(job.step, 0);
});
