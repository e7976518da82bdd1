import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SAMPLERS } from '../../../src-preload/contract/generation.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { TorchCpuGenerator } from '../noise/torch-generator.ts';
import { createScheduler, img2imgTimesteps } from './index.ts';

const modelConfig = JSON.parse(readFileSync(fixture('sd15-tiny', 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>;

test('DDIM from the model config gives the pipeline goldens\' 4-step schedule', () => {
  const ddim = createScheduler('DDIM', modelConfig);
  ddim.setTimesteps(4);
  assert.deepEqual(ddim.timesteps, [751, 501, 251, 1]);
});

test('img2img strength 0.6 over 4 steps runs the last 2 timesteps', () => {
  const ddim = createScheduler('DDIM', modelConfig);
  ddim.setTimesteps(4);
  assert.deepEqual(img2imgTimesteps(ddim, 4, 0.6), [251, 1]);
  assert.deepEqual(img2imgTimesteps(ddim, 4, 1), [751, 501, 251, 1]);
});

test('every A1111 sampler runs a whole schedule to a finite latent', () => {
  for (const sampler of SAMPLERS) {
    const scheduler = createScheduler(sampler, modelConfig);
    scheduler.setTimesteps(8);
    const noise = new TorchCpuGenerator(1);
    const shape = [1, 4, 8, 8];
    let sample: Float32Array = noise.randn(shape).map((v) => v * scheduler.initNoiseSigma);
    for (const t of scheduler.timesteps) {
      const input = scheduler.scaleModelInput(sample, t);
      sample = scheduler.step(input.map((v) => 0.1 * v), t, sample, noise, shape).prevSample;
    }
    assert.ok(sample.every(Number.isFinite), sampler);
  }
});

test('impossible step counts are StudioErrors', () => {
  assert.throws(() => createScheduler('DDIM', modelConfig).setTimesteps(0), { code: 'generate.invalid-parameter' });
  assert.throws(() => createScheduler('LCM', modelConfig).setTimesteps(51), { code: 'generate.invalid-parameter' });
  assert.throws(() => createScheduler('Euler', { ...modelConfig, beta_schedule: 'squaredcos_cap_v3' }), { code: 'generate.unsupported-scheduler' });
});
