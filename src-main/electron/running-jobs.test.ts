import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import { tempLibrary } from '../../test/helpers/temp-library.ts';
import { endRunningJobs, runningJobs } from './running-jobs.ts';

const params = GenerationParamsSchema.parse({ model: '/models/sd15.safetensors', prompt: 'a portrait', seed: 7, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 });

test('quitting records the running job as interrupted and leaves queued jobs queued', (t) => {
  const library = tempLibrary(t);
  const running = library.jobs.enqueue({ params });
  const waiting = library.jobs.enqueue({ params });
  library.jobs.markRunning(running.id);
  assert.equal(runningJobs(library.jobs).length, 1);
  const ended = endRunningJobs(library.jobs, { reason: 'quit' });
  assert.deepEqual(ended.map((job) => [job.id, job.state]), [[running.id, 'interrupted']]);
  assert.equal(library.jobs.get(running.id).state, 'interrupted');
  assert.equal(library.jobs.get(waiting.id).state, 'queued');
  assert.equal(runningJobs(library.jobs).length, 0);
});

test('an engine crash fails the running job with the exit code and what to do', (t) => {
  const library = tempLibrary(t);
  const running = library.jobs.enqueue({ params });
  library.jobs.markRunning(running.id);
  const [failed] = endRunningJobs(library.jobs, { reason: 'crash', exitCode: 139 });
  assert.equal(failed?.state, 'failed');
  assert.equal(failed?.error?.code, 'generate.runtime-failed');
  assert.match(failed?.error?.userMessage ?? '', /exit code 139/);
  assert.match(failed?.error?.hint ?? '', /restarted/);
});
