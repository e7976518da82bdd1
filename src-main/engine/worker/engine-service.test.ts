// The engine's queue in this thread, without a worker between: a cancel that arrives while step K is reported lets no
// more than one further step run. (Across a worker thread the same guarantee holds from the moment the worker reads
// the message, which the sending thread cannot observe; engine-client.test.ts checks the cancel there.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { validateGenerationParams } from '../pipeline/generate.ts';
import { EngineService } from './engine-service.ts';
import type { EngineEvent } from './protocol.ts';

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'faceid-engine-service-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

test('a cancel received while step 2 is reported stops the job before step 4, and the job ends cancelled', async () => {
  const steps: number[] = [];
  let service: EngineService | undefined;
  const ended = new Promise<EngineEvent>((resolve) => {
    service = new EngineService({ cacheDir, previewEvery: 0, preferredProviders: [] }, (event) => {
      if (event.type === 'progress') {
        steps.push(event.step);
        if (event.step === 2) service!.handle({ type: 'cancel', jobId: 'job' });
      }
      if (event.type === 'state' && (event.state === 'done' || event.state === 'failed' || event.state === 'cancelled')) resolve(event);
    });
  });
  const params = validateGenerationParams({ model: fixture('sd15-tiny'), prompt: 'a photo of a woman', seed: 3, steps: 20, cfg: 7, sampler: 'Euler', width: 64, height: 64 });
  service!.handle({ type: 'submit', jobId: 'job', params });
  const end = await ended;
  assert.equal(end.type === 'state' && end.state, 'cancelled');
  assert.ok(Math.max(...steps) <= 3, `steps reported: ${steps.join(', ')}`);
  await service!.close();
});
