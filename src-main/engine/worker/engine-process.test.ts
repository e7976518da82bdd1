// The same engine entry started as a child process (how the Electron shell's supervisor runs it): options on the
// command line, requests and events over process IPC.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { EngineEvent, EngineOptions } from './protocol.ts';

test('as a child process it answers requests over IPC and exits on shutdown', async () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'faceid-engine-process-'));
  const options: EngineOptions = { cacheDir, preferredProviders: [] };
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-worker.ts');
  const child = fork(entry, [`--engine-options=${JSON.stringify(options)}`], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const events: EngineEvent[] = [];
  const got = (predicate: (e: EngineEvent) => boolean) =>
    new Promise<EngineEvent>((resolve) => {
      const check = (m: unknown) => {
        events.push(m as EngineEvent);
        if (predicate(m as EngineEvent)) {
          child.off('message', check);
          resolve(m as EngineEvent);
        }
      };
      child.on('message', check);
    });
  try {
    const providers = got((e) => e.type === 'providers');
    child.send({ type: 'providers' });
    const answer = await providers;
    assert.ok(answer.type === 'providers' && answer.providers.some((p) => p.provider === 'cpu' && p.available));
    const failed = got((e) => e.type === 'state' && e.state === 'failed');
    child.send({ type: 'submit', jobId: 'j1', params: { model: path.join(cacheDir, 'missing.safetensors'), prompt: 'x', negativePrompt: '', seed: 1, steps: 2, cfg: 7, sampler: 'DDIM', width: 64, height: 64, batchSize: 1, clipSkip: 1, loras: [] } });
    const result = await failed;
    assert.ok(result.type === 'state' && result.error?.code === 'generate.model-missing');
    assert.deepEqual(events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : '')), ['queued', 'running', 'failed']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send({ type: 'shutdown' });
    assert.equal(await exited, 0);
  } finally {
    child.kill();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
