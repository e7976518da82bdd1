// The running job's line in the queue: what it waits for before its first step, its steps, and the decode after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEta, jobActivity } from '../../src-renderer/features/queue/job-activity.ts';

const at = (step: number, totalSteps = 20, stepsPerSecond?: number, etaMs?: number) => ({ step, totalSteps, stepsPerSecond, etaMs });

test('a stage says what the job waits for, ahead of any step figure', () => {
  assert.equal(jobActivity(at(0), { jobId: 'j', stage: 'compiling', detail: 'Building the UNet graph (2/5)' }), 'Compiling the model for first use: Building the UNet graph (2/5)…');
  assert.equal(jobActivity(at(0), { jobId: 'j', stage: 'loading', detail: 'Opening the UNet' }), 'Opening the UNet…');
  assert.equal(jobActivity(at(20, 20, 1.5, 0), { jobId: 'j', stage: 'loading', detail: 'Opening the VAE decoder' }), 'Step 20 of 20 · 1.50 it/s · opening the VAE decoder…');
});

test('without a stage: starting, steps with rate and time left, then decoding after the last step', () => {
  assert.equal(jobActivity(at(0), undefined), 'Starting…');
  assert.equal(jobActivity(at(3, 20, 1.25, 75_000), undefined), 'Step 3 of 20 · 1.25 it/s · 1m 15s left');
  assert.equal(jobActivity(at(3, 20), undefined), 'Step 3 of 20');
  assert.equal(jobActivity(at(20, 20, 2, 0), undefined), 'Step 20 of 20 · 2.00 it/s · decoding the image…');
  assert.deepEqual([formatEta(undefined), formatEta(4_400), formatEta(600_000)], ['', '4s', '10m 00s']);
});

test('a job of several passes or images names the one running', () => {
  assert.equal(jobActivity({ ...at(2, 10, 1, 8_000), pass: 'face-detail' }, undefined), 'Face detail · Step 2 of 10 · 1.00 it/s · 8s left');
  assert.equal(jobActivity({ ...at(1, 4), pass: 'generate', image: { index: 2, of: 4 } }, undefined), 'Generating · image 2 of 4 · Step 1 of 4');
  assert.equal(jobActivity({ ...at(1, 4), pass: 'generate' }, undefined), 'Step 1 of 4');
});
