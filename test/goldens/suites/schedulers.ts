// Scheduler goldens (fixtures/goldens/scheduler_*.safetensors): each file names its diffusers class and config in
// its metadata; we build the same scheduler, compare timesteps / σ / init σ, then run every step feeding the
// recorded model outputs and the recorded noise draws, and compare model inputs, x₀ estimates and samples.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createSchedulerByClass } from '../../../src-main/engine/schedulers/index.ts';
import { parseSchedulerConfig } from '../../../src-main/engine/schedulers/scheduler.ts';
import { recordedNoise } from '../../../src-main/engine/noise/recorded-noise.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

/** The JSON after "config " in a golden's notes (Python's -Infinity written as JSON null). */
function configFromNotes(notes: string): Record<string, unknown> {
  const start = notes.indexOf('config {');
  if (start < 0) throw new Error('golden notes carry no config');
  let depth = 0;
  let end = start + 7;
  for (; end < notes.length; end++) {
    if (notes[end] === '{') depth++;
    if (notes[end] === '}' && --depth === 0) break;
  }
  return JSON.parse(notes.slice(start + 7, end + 1).replace(/-?Infinity/gu, 'null')) as Record<string, unknown>;
}

export const suite: GoldenSuite = {
  name: 'schedulers',
  async run(ctx) {
    const folder = path.join(ctx.fixtures, 'goldens');
    const files = (await readdir(folder)).filter((f) => /^scheduler_.*\.safetensors$/u.test(f)).sort();
    for (const file of files) {
      const label = file.replace(/\.safetensors$/u, '');
      const { tensors, metadata } = await loadGoldenTensors(path.join(folder, file));
      const get = (key: string) => {
        const t = tensors.get(key);
        if (!t) throw new Error(`${file} has no tensor ${key}`);
        return t;
      };
      const className = /(\w+Scheduler)\b/u.exec(metadata.source ?? '')?.[1] ?? '';
      const steps = Number(/^(\d+) steps/u.exec(metadata.notes ?? '')?.[1]);
      const scheduler = createSchedulerByClass(className, parseSchedulerConfig(configFromNotes(metadata.notes ?? '')));
      if (!scheduler || !Number.isInteger(steps)) {
        ctx.record({ name: label, error: Number.POSITIVE_INFINITY, tolerance: 0, metric: '-', passed: false, detail: `cannot build ${className} for ${steps} steps` });
        continue;
      }
      scheduler.setTimesteps(steps);
      const goldenTimesteps = get('timesteps').data;
      const fractional = Array.from(goldenTimesteps).some((t) => !Number.isInteger(t));
      ctx.check(`${label}/timesteps`, scheduler.timesteps, goldenTimesteps, fractional ? 'schedulerFractionalTimesteps' : 'schedulerTimesteps');
      if (tensors.has('sigmas')) ctx.check(`${label}/sigmas`, scheduler.sigmas ?? [], get('sigmas').data, 'schedulerSample');
      ctx.check(`${label}/init_noise_sigma`, [scheduler.initNoiseSigma], get('init_noise_sigma').data, 'schedulerSample');

      const draws = [...tensors.keys()].filter((k) => /^noise\d+$/u.test(k)).sort().map((k) => get(k).data);
      const noise = recordedNoise(draws, label);
      const xInit = get('x_init');
      // x_init is the starting latent already multiplied by init_noise_sigma.
      let sample = xInit.data;
      for (let i = 0; i < scheduler.timesteps.length; i++) {
        const step = `step${String(i).padStart(2, '0')}`;
        const t = scheduler.timesteps[i]!;
        ctx.check(`${label}/${step}.model_input`, scheduler.scaleModelInput(sample, t), get(`${step}_model_input`).data, 'schedulerSample');
        const result = scheduler.step(get(`${step}_model_output`).data, t, sample, noise, xInit.shape);
        for (const key of ['pred_original_sample', 'denoised']) {
          if (tensors.has(`${step}_${key}`)) ctx.check(`${label}/${step}.${key}`, result.predOriginal ?? [], get(`${step}_${key}`).data, 'schedulerSample');
        }
        ctx.check(`${label}/${step}.prev_sample`, result.prevSample, get(`${step}_prev_sample`).data, 'schedulerSample');
        sample = result.prevSample;
      }
    }
  },
};
