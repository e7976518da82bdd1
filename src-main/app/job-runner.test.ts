// The job runner's best-of-N with a stand-in engine (one image per single-seed job, finished in order) and injected
// identity scores: ranking, keeping K, rejected images kept or discarded, scoring as images arrive, and the refusal
// when there is nothing to compare with. The library is real (SQLite in a temp folder).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerationParams, GenerationParamsInput } from '../../src-preload/contract/generation.ts';
import { GenerationParamsSchema, VAE_AUTOMATIC } from '../../src-preload/contract/generation.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import { makePng } from '../../test/helpers/images.ts';
import { tempLibrary } from '../../test/helpers/temp-library.ts';
import type { Library } from '../library/library.ts';
import type { JobImage, JobStateEvent } from '../engine/worker/protocol.ts';
import { StudioEventBus } from './events.ts';
import { JobRunner, type EngineEvent, type GenerationEngine, type JobFaces } from './job-runner.ts';

/** Runs each submitted job after the previous one: two progress steps, then one image of the job's seed. */
class StandInEngine implements GenerationEngine {
  readonly log: string[] = [];
  readonly submitted: GenerationParams[] = [];
  readonly #listeners = new Set<(event: EngineEvent) => void>();
  #chain = Promise.resolve();
  #next = 0;
  #cancelled = new Set<string>();
  /** Which picture each PNG is: its seed, and `before` for the picture before a face pass. */
  readonly png = new Map<Uint8Array, string>();
  /** Face detail reports to attach to the images, as the engine does for jobs with the pass. */
  faceDetail: ((png: Uint8Array, seed: number) => JobImage['faceDetail']) | undefined;

  submit(params: GenerationParams): string {
    const jobId = `e${this.#next++}`;
    this.submitted.push(params);
    this.#chain = this.#chain.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#cancelled.has(jobId)) return this.#emit({ type: 'state', jobId, state: 'cancelled' });
      for (const step of [1, 2]) this.#emit({ type: 'progress', jobId, step, total: 2, pass: 'generate', itPerSec: 1, etaSeconds: 0 });
      const png = new Uint8Array(await makePng({ width: 8, height: 8 }));
      this.png.set(png, String(params.seed));
      const faceDetail = params.faceDetail ? this.faceDetail?.(png, params.seed) : undefined;
      const image: JobImage = { png, seed: params.seed, width: params.width, height: params.height, parameters: '', ...(faceDetail ? { faceDetail } : {}) };
      this.log.push(`done ${params.seed}`);
      this.#emit({ type: 'state', jobId, state: 'done', images: [image] } satisfies JobStateEvent);
    });
    return jobId;
  }

  cancel(id: string): void {
    this.#cancelled.add(id);
  }

  configure(): void {}

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: EngineEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** Identity scores injected per seed; every scoring is logged in the engine's log, so its order can be checked. */
function injectedFaces(engine: StandInEngine, scores: Readonly<Record<string, number | null>>, options: { installed?: boolean } = {}): JobFaces {
  return {
    installed: () => options.installed ?? true,
    characterEmbedding: async () => Float32Array.of(1, 0),
    photosEmbedding: async () => Float32Array.of(1, 0),
    conditioning: async () => ({ cond: new Float32Array(4), uncond: new Float32Array(4), count: 1, scale: 1 }),
    identityScore: async (_identity, png) => {
      const which = engine.png.get(png)!;
      engine.log.push(`score ${which}`);
      return scores[which] ?? null;
    },
  };
}

const params = (overrides: Partial<GenerationParamsInput> = {}): GenerationParams =>
  GenerationParamsSchema.parse({ model: '/m/sd15.safetensors', prompt: 'Ada', seed: 100, steps: 2, cfg: 7, sampler: 'Euler a', width: 64, height: 64, ...overrides });

async function runJob(library: Library, engine: StandInEngine, faces: JobFaces, jobParams: GenerationParams, characterId?: string): Promise<Job> {
  const events = new StudioEventBus();
  const runner = new JobRunner({ library, events, engine, faces, loraFiles: async () => [] });
  const job = library.jobs.enqueue({ params: jobParams, ...(characterId ? { characterId } : {}) });
  const ended = new Promise<Job>((resolve) =>
    events.subscribe(({ event, payload }) => {
      const updated = event === 'job.updated' ? (payload as { job: Job }).job : undefined;
      if (updated?.id === job.id && ['done', 'failed', 'cancelled'].includes(updated.state)) resolve(updated);
    }),
  );
  runner.wake();
  const result = await ended;
  await runner.close();
  return result;
}

const SCORES = { 100: 0.2, 101: null, 102: 0.9, 103: 0.5 };

test('best of 4 keep 2: four single-seed jobs, each scored as it arrives, the two most like the character kept with their ranks', async (t) => {
  const library = tempLibrary(t);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const engine = new StandInEngine();
  const job = await runJob(library, engine, injectedFaces(engine, SCORES), params({ bestOf: { count: 4, keep: 2 } }), character.id);
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  assert.deepEqual(engine.submitted.map((p) => [p.seed, p.batchSize, p.bestOf]), [[100, 1, undefined], [101, 1, undefined], [102, 1, undefined], [103, 1, undefined]]);
  assert.ok(engine.log.indexOf('score 100') < engine.log.indexOf('done 103'), `the first image is scored before the last is made: ${engine.log.join(', ')}`);
  const kept = library.generations.list({ sort: 'newest', offset: 0, limit: 10, favoriteOnly: false }).generations.sort((a, b) => a.ranking!.rank - b.ranking!.rank);
  assert.deepEqual(kept.map((g) => [g.seed, g.identityScore, g.ranking]), [[102, 0.9, { rank: 1, of: 4, kept: true }], [103, 0.5, { rank: 2, of: 4, kept: true }]]);
  assert.equal(kept[0]!.params.bestOf, undefined, 'each image keeps the parameters that make exactly it');
  assert.equal(kept[0]!.params.seed, 102);
  assert.deepEqual(job.notes, ['Best 2 of 4 by identity score kept (0.900, 0.500); the other 2 were discarded.']);
});

test('rejected images are kept on request, ranked after the kept ones; an image without a face ranks last', async (t) => {
  const library = tempLibrary(t);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const engine = new StandInEngine();
  const job = await runJob(library, engine, injectedFaces(engine, SCORES), params({ bestOf: { count: 4, keep: 1, keepRejected: true } }), character.id);
  assert.equal(job.state, 'done');
  const all = library.generations.list({ sort: 'newest', offset: 0, limit: 10, favoriteOnly: false }).generations.sort((a, b) => a.ranking!.rank - b.ranking!.rank);
  assert.deepEqual(all.map((g) => [g.seed, g.ranking!.rank, g.ranking!.kept]), [[102, 1, true], [103, 2, false], [100, 3, false], [101, 4, false]]);
});

test('best-of-N with nothing to compare with fails before the engine makes anything, and says why', async (t) => {
  const library = tempLibrary(t);
  const engine = new StandInEngine();
  const noCharacter = await runJob(library, engine, injectedFaces(engine, SCORES), params({ bestOf: { count: 2, keep: 1 } }));
  assert.equal(noCharacter.state, 'failed');
  assert.match(noCharacter.error!.userMessage, /no character or face photos/u);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const noModels = await runJob(library, engine, injectedFaces(engine, SCORES, { installed: false }), params({ bestOf: { count: 2, keep: 1 } }), character.id);
  assert.match(noModels.error!.userMessage, /needs the face models/u);
  assert.equal(engine.submitted.length, 0);
});

test('a plain job is one engine job, scored against its character, with no ranking', async (t) => {
  const library = tempLibrary(t);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const engine = new StandInEngine();
  const job = await runJob(library, engine, injectedFaces(engine, SCORES), params({ seed: 103 }), character.id);
  assert.equal(job.state, 'done');
  const [only] = library.generations.list({ sort: 'newest', offset: 0, limit: 10, favoriteOnly: false }).generations;
  assert.deepEqual([only!.seed, only!.identityScore, only!.ranking, job.notes], [103, 0.5, null, []]);
});

/** The engine's face pass: a repainted picture with the one before it. */
function withFacePass(engine: StandInEngine): void {
  engine.faceDetail = (_png, seed) => {
    const before = new Uint8Array([seed % 256, 1, 2, 3]);
    engine.png.set(before, `${seed} before`);
    return { repainted: 1, before: { png: before, parameters: 'before' } };
  };
}

test('a face pass that raises the identity score: the picture before is stored as the parent of the one after', async (t) => {
  const library = tempLibrary(t);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const engine = new StandInEngine();
  withFacePass(engine);
  const job = await runJob(library, engine, injectedFaces(engine, { 100: 0.7, '100 before': 0.6 }), params({ faceDetail: { strength: 0.4 } }), character.id);
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  const stored = library.generations.list({ sort: 'oldest', offset: 0, limit: 10, favoriteOnly: false }).generations;
  assert.equal(stored.length, 2);
  const [before, after] = stored;
  assert.deepEqual([before!.identityScore, before!.parentId, before!.params.faceDetail], [0.6, null, undefined]);
  assert.deepEqual([after!.identityScore, after!.parentId, after!.params.faceDetail?.strength], [0.7, before!.id, 0.4]);
  assert.deepEqual(job.notes, []);
});

test('a face pass that lowers the identity score: the picture before is kept instead, and the job says so', async (t) => {
  const library = tempLibrary(t);
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const engine = new StandInEngine();
  withFacePass(engine);
  const job = await runJob(library, engine, injectedFaces(engine, { 100: 0.5, '100 before': 0.6 }), params({ faceDetail: {} }), character.id);
  const stored = library.generations.list({ sort: 'oldest', offset: 0, limit: 10, favoriteOnly: false }).generations;
  assert.deepEqual(stored.map((g) => [g.identityScore, g.params.faceDetail]), [[0.6, undefined]]);
  assert.deepEqual(job.notes, ['The face detail pass lowered the identity score (0.600 → 0.500), so the picture from before the pass was kept.']);
  // With the check turned off, the pass's result is kept (after its parent).
  const unchecked = await runJob(library, engine, injectedFaces(engine, { 100: 0.5, '100 before': 0.6 }), params({ faceDetail: { identityCheck: false } }), character.id);
  assert.deepEqual(unchecked.notes, []);
  assert.equal(library.generations.list({ sort: 'oldest', offset: 0, limit: 10, favoriteOnly: false }).generations.length, 3);
});

test('a face pass that found no face: one picture, and the job says the pass was skipped', async (t) => {
  const library = tempLibrary(t);
  const engine = new StandInEngine();
  engine.faceDetail = () => ({ repainted: 0, skipped: 'No face was found in the image, so the face detail pass was skipped.' });
  const job = await runJob(library, engine, injectedFaces(engine, {}), params({ faceDetail: {} }));
  assert.equal(job.state, 'done');
  assert.equal(library.generations.list({ sort: 'oldest', offset: 0, limit: 10, favoriteOnly: false }).generations.length, 1);
  assert.deepEqual(job.notes, ['No face was found in the image, so the face detail pass was skipped.']);
});

test('a job that names no VAE gets the default VAE of Settings; one that chooses a VAE or Automatic keeps its choice', async (t) => {
  const library = tempLibrary(t);
  const engine = new StandInEngine();
  const faces = injectedFaces(engine, SCORES);
  await runJob(library, engine, faces, params());
  library.settings.update({ defaultVae: '/m/vae/sd-vae-ft-mse.safetensors' });
  await runJob(library, engine, faces, params());
  await runJob(library, engine, faces, params({ vae: '/m/vae/other.safetensors' }));
  await runJob(library, engine, faces, params({ vae: VAE_AUTOMATIC }));
  assert.deepEqual(engine.submitted.map((p) => p.vae), [undefined, '/m/vae/sd-vae-ft-mse.safetensors', '/m/vae/other.safetensors', VAE_AUTOMATIC]);
});
