// The studio generating for real over the host: a FaceID job for a character with a reference photo runs on the tiny
// fixture models (engine in a worker thread), with stage, progress and preview events on the WebSocket, and ends as a
// generation row with its PNG (A1111 parameters inside); a running job cancels; a failing job does not stop the next.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseA1111Parameters } from '../../src-preload/contract/a1111-parameters.ts';
import type { Generation } from '../../src-preload/contract/generations.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { composeStudio, rendererFolder, type Studio } from '../../src-main/app/compose.ts';
import { readEnvironment } from '../../src-main/app/environment.ts';
import { workerThreadGeneration } from '../../src-main/app/host-generation.ts';
import { startStudioHost, type StudioHost } from '../../src-main/app/host/studio-host.ts';
import { httpStudioClient, type TestStudioClient } from '../helpers/contract-clients.ts';
import { facePhotoPng } from '../helpers/face-fixtures.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitUntil } from '../helpers/wait-until.ts';

let studio: Studio;
let host: StudioHost;
let client: TestStudioClient;
const jobUpdates: Job[] = [];
const progress: { jobId: string; step: number; totalSteps: number }[] = [];
const previews: { jobId: string; image: string }[] = [];
const stages: { jobId: string; stage: string; detail: string }[] = [];
const created: Generation[] = [];

before(async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'faceid-generation-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const env = { ...process.env, FACEID_FACE_MODELS: fixture('face', 'models'), FACEID_COMPILED_DIR: path.join(folder, 'compiled') };
  studio = composeStudio({ libraryFolder: path.join(folder, 'library'), generation: workerThreadGeneration(readEnvironment(env)) });
  host = await startStudioHost({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder, rendererFolder });
  client = httpStudioClient(new URL(host.url).origin, host.token);
  client.on('job.updated', ({ job }) => void jobUpdates.push(job));
  client.on('job.progress', (event) => void progress.push(event));
  client.on('job.preview', (event) => void previews.push(event));
  client.on('job.stage', (event) => void stages.push(event));
  client.on('generation.created', ({ generation }) => void created.push(generation));
  await client.ready();
});

after(async () => {
  client.close();
  await host.close();
  await studio.stop();
});

const FINAL = new Set(['done', 'failed', 'cancelled', 'interrupted']);

/** The job's final update. The first job also compiles the tiny model: a longer hang guard than the default. */
function ended(jobId: string): Promise<Job> {
  return waitUntil(() => jobUpdates.find((j) => j.id === jobId && FINAL.has(j.state)), {
    what: `job ${jobId} to end`,
    timeoutMs: 120_000,
    observe: () => jobUpdates.filter((j) => j.id === jobId).at(-1)?.state,
  });
}

const params = (overrides: Record<string, unknown> = {}) => ({ model: fixture('sd15-tiny'), prompt: 'a photo of a person', negativePrompt: 'lowres', seed: 42, steps: 6, cfg: 7, sampler: 'DDIM' as const, width: 64, height: 64, ...overrides });

test('a FaceID job for a character: progress and preview events, a generation row and a PNG carrying its parameters', async () => {
  const character = await client.characters.create({ name: 'Ada' });
  assert.ok(character.ok);
  const reference = await client.references.add({ characterId: character.value.id, fileName: 'ada.png', dataBase64: (await facePhotoPng()).toString('base64') });
  assert.ok(reference.ok, JSON.stringify(reference));
  const faces = await client.references.faces({ id: reference.value.id });
  assert.ok(faces.ok && faces.value.state === 'analysed' && faces.value.faces.length >= 1, 'the reference photo is analysed on intake');

  const adapter = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin');
  const queued = await client.jobs.enqueue({ params: params({ faceid: { adapter, faceWeight: 0.9 } }), characterId: character.value.id });
  assert.ok(queued.ok, JSON.stringify(queued));
  const job = await ended(queued.value.id);
  assert.equal(job.state, 'done', JSON.stringify(job.error));

  const steps = progress.filter((p) => p.jobId === job.id).map((p) => p.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
  const waitedFor = stages.filter((s) => s.jobId === job.id);
  assert.ok(waitedFor.some((s) => s.stage === 'compiling' && s.detail.includes('UNet')), 'the first job says it is compiling the model');
  assert.ok(waitedFor.some((s) => s.stage === 'loading' && s.detail === 'Opening the UNet'), JSON.stringify(waitedFor));
  const preview = previews.find((p) => p.jobId === job.id);
  assert.ok(preview !== undefined && /^previews\//u.test(preview.image), 'a preview at step 5 (the default every 5 steps)');

  const generation = created.find((g) => g.jobId === job.id);
  assert.ok(generation !== undefined);
  assert.equal(generation.characterId, character.value.id);
  assert.equal(generation.seed, 42);
  assert.equal(generation.params.faceid?.adapter, adapter);
  // The tiny model's random weights paint no face: measured, and recorded as "no face" (null), never as 0.
  assert.ok(generation.identityScore === null || (generation.identityScore >= -1 && generation.identityScore <= 1));
  const stored = await client.generations.get({ id: generation.id });
  assert.ok(stored.ok);
  const png = readFileSync(path.join(studio.library.folder, stored.value.image));
  const parameters = parseA1111Parameters(readPngTexts(png).parameters ?? '');
  assert.equal(parameters.params.seed, 42);
  assert.equal(parameters.params.steps, 6);
  assert.equal(parameters.raw['FaceID model'], path.basename(adapter, '.bin'));
  assert.ok(existsSync(path.join(studio.library.folder, preview.image)), 'the last job\'s previews stay until the next job ends (a window may still load one)');

  // Remix: img2img from the gallery image, named by its media path as the renderer does; the child keeps its parent.
  const remix = await client.jobs.enqueue({ params: params({ steps: 2, img2img: { initImage: stored.value.image, strength: 0.5 } }), parentId: generation.id });
  assert.ok(remix.ok, JSON.stringify(remix));
  const remixed = await ended(remix.value.id);
  assert.equal(remixed.state, 'done', JSON.stringify(remixed.error));
  assert.equal(created.find((g) => g.jobId === remix.value.id)?.parentId, generation.id);
  assert.ok(!existsSync(path.join(studio.library.folder, preview.image)), 'previews are removed once the next job has ended');
});

test('cancelling a running job ends it as cancelled; a failing job is recorded with its typed error and the next job runs', async () => {
  const long = await client.jobs.enqueue({ params: params({ steps: 150, seed: 7 }) });
  const missing = await client.jobs.enqueue({ params: params({ model: path.join(studio.library.folder, 'no-such-model.safetensors') }) });
  const after = await client.jobs.enqueue({ params: params({ seed: 8, steps: 2 }) });
  assert.ok(long.ok && missing.ok && after.ok);
  await waitUntil(() => progress.some((p) => p.jobId === long.value.id), { what: 'the long job\'s first step' });
  const cancelled = await client.jobs.cancel({ id: long.value.id });
  assert.ok(cancelled.ok);
  const longEnd = await ended(long.value.id);
  assert.equal(longEnd.state, 'cancelled');
  assert.ok(longEnd.step < 150, `stopped at step ${longEnd.step}`);

  const failed = await ended(missing.value.id);
  assert.equal(failed.state, 'failed');
  assert.ok(failed.error !== null && failed.error.code !== 'internal', JSON.stringify(failed.error));
  assert.match(failed.error.userMessage, /no-such-model/u);
  const next = await ended(after.value.id);
  assert.equal(next.state, 'done', JSON.stringify(next.error));
  assert.equal(created.filter((g) => g.jobId === after.value.id).length, 1);

  // Retry: the failed job runs again as a new job with the same settings (and fails the same way).
  const retried = await client.jobs.retry({ id: missing.value.id });
  assert.ok(retried.ok);
  assert.notEqual(retried.value.id, missing.value.id);
  assert.deepEqual(retried.value.params, failed.params);
  assert.equal((await ended(retried.value.id)).state, 'failed');
  const busy = await client.jobs.enqueue({ params: params({ steps: 150, seed: 9 }) });
  assert.ok(busy.ok);
  const refused = await client.jobs.retry({ id: busy.value.id });
  assert.equal(!refused.ok && refused.error.code, 'invalid-request', 'a queued or running job is not retried');
  await client.jobs.cancel({ id: busy.value.id });
  assert.equal((await ended(busy.value.id)).state, 'cancelled');
});
