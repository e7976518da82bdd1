// The supervised engine adapter over a real engine worker process (child_process.fork of engine-worker.ts, as the
// supervisor tests start processes): a job's outcome comes back typed; killing the process fails the open job with
// the crash named; with no process up a new job fails at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fixture, repoRoot } from '../../test/helpers/fixtures.ts';
import { waitUntil } from '../../test/helpers/wait-until.ts';
import type { EngineEvent } from '../app/job-runner.ts';
import type { JobStateEvent } from '../engine/worker/protocol.ts';
import { forkEngineProcess } from './engine-process.ts';
import { EngineSupervisor } from './engine-supervisor.ts';
import { SupervisedEngine } from './supervised-engine.ts';

const worker = path.join(repoRoot, 'src-main/engine/worker/engine-worker.ts');
const params = (overrides: Record<string, unknown> = {}) => ({ model: fixture('sd15-tiny'), prompt: 'x', negativePrompt: '', seed: 1, steps: 150, cfg: 7, sampler: 'DDIM' as const, width: 64, height: 64, batchSize: 1, clipSkip: 1, loras: [], embeddings: [], control: [], ...overrides });

test('relays a real engine process\'s job outcomes; a crash fails the open job; no process fails new jobs', async (t) => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'faceid-supervised-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const events: EngineEvent[] = [];
  let engine: SupervisedEngine | undefined;
  let process: ReturnType<typeof forkEngineProcess> | undefined;
  const supervisor = new EngineSupervisor({
    spawn: () => (process = forkEngineProcess(worker, [`--engine-options=${JSON.stringify({ cacheDir: cache, previewEvery: 0 })}`])),
    onMessage: (message) => engine?.receive(message),
    onStatus: (status) => {
      if (status.state === 'crashed' || status.state === 'gave-up') engine?.crashed(`The engine process stopped unexpectedly (exit code ${status.exitCode ?? 'none'}).`);
    },
    maxCrashes: 0,
  });
  engine = new SupervisedEngine((request) => supervisor.send(request));
  engine.subscribe((event) => events.push(event));
  t.after(() => supervisor.stop());
  supervisor.start();
  const final = (jobId: string) =>
    waitUntil(() => events.find((e): e is JobStateEvent => e.type === 'state' && e.jobId === jobId && e.state !== 'queued' && e.state !== 'running'), { what: `job ${jobId} to end`, observe: () => events.length });

  const missing = engine.submit(params({ model: path.join(cache, 'missing.safetensors') }), {});
  const failed = await final(missing);
  assert.equal(failed.state, 'failed');
  assert.ok(failed.error !== undefined && failed.error.code !== 'internal', JSON.stringify(failed.error));

  const long = engine.submit(params(), {});
  await waitUntil(() => events.some((e) => e.type === 'progress' && e.jobId === long), { what: 'the long job\'s first step' });
  process?.kill(); // killed mid-job, as a crash would end it
  const ended = await final(long);
  assert.equal(ended.state, 'failed');
  assert.equal(ended.error?.code, 'generate.engine-stopped');
  assert.match(ended.error?.userMessage ?? '', /stopped unexpectedly/u);

  await waitUntil(() => !supervisor.isRunning, { what: 'the supervisor to see the killed process gone' });
  const refused = engine.submit(params(), {});
  const refusedFinal = await final(refused);
  assert.equal(refusedFinal.error?.code, 'generate.engine-stopped');
});
