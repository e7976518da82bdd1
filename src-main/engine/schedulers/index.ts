// A1111 sampler names → scheduler files, with each sampler's diffusers defaults over the model's scheduler config
// (as `Scheduler.from_config(pipe.scheduler.config)` plus the options A1111's names imply).
import type { Sampler } from '../../../src-preload/contract/generation.ts';
import { DdimScheduler } from './ddim.ts';
import { DpmSolverMultistepScheduler } from './dpmpp-2m.ts';
import { EulerAncestralScheduler } from './euler-ancestral.ts';
import { EulerScheduler } from './euler.ts';
import { LcmScheduler } from './lcm.ts';
import { PndmScheduler } from './pndm.ts';
import { parseSchedulerConfig, type Scheduler, type SchedulerConfig } from './scheduler.ts';

export type { Scheduler, SchedulerConfig, StepResult } from './scheduler.ts';
export { parseSchedulerConfig } from './scheduler.ts';

/** The diffusers class each sampler name runs, and the options its name implies. */
const SAMPLER_SETUP: Record<Sampler, { make: (c: SchedulerConfig) => Scheduler; options: Partial<SchedulerConfig> }> = {
  DDIM: { make: (c) => new DdimScheduler(c), options: {} },
  Euler: { make: (c) => new EulerScheduler(c), options: { timestepSpacing: 'linspace', useKarrasSigmas: false } },
  'Euler a': { make: (c) => new EulerAncestralScheduler(c), options: { timestepSpacing: 'linspace' } },
  'DPM++ 2M': { make: (c) => new DpmSolverMultistepScheduler(c), options: { timestepSpacing: 'linspace', useKarrasSigmas: false, finalSigmasType: 'zero' } },
  'DPM++ 2M Karras': { make: (c) => new DpmSolverMultistepScheduler(c), options: { timestepSpacing: 'linspace', useKarrasSigmas: true, finalSigmasType: 'zero' } },
  LCM: { make: (c) => new LcmScheduler(c), options: {} },
  PNDM: { make: (c) => new PndmScheduler(c), options: {} },
};

/** A scheduler for an A1111 sampler name from the model's scheduler_config.json contents. */
export function createScheduler(sampler: Sampler, modelSchedulerConfig: Readonly<Record<string, unknown>>): Scheduler {
  const setup = SAMPLER_SETUP[sampler];
  return setup.make({ ...parseSchedulerConfig(modelSchedulerConfig), ...setup.options });
}

/** diffusers class names → scheduler files, for configs that name their class (goldens, diffusers folders). */
export function createSchedulerByClass(className: string, config: SchedulerConfig): Scheduler | undefined {
  switch (className) {
    case 'DDIMScheduler':
      return new DdimScheduler(config);
    case 'EulerDiscreteScheduler':
      return new EulerScheduler(config);
    case 'EulerAncestralDiscreteScheduler':
      return new EulerAncestralScheduler(config);
    case 'DPMSolverMultistepScheduler':
      return new DpmSolverMultistepScheduler(config);
    case 'LCMScheduler':
      return new LcmScheduler(config);
    case 'PNDMScheduler':
      return new PndmScheduler(config);
    default:
      return undefined;
  }
}

/**
 * img2img / inpaint start (diffusers get_timesteps): with `strength` s only the last ⌊steps·s⌋ steps run; returns
 * the timesteps to run and tells the scheduler where it begins.
 */
export function img2imgTimesteps(scheduler: Scheduler, steps: number, strength: number): number[] {
  const initTimestep = Math.min(Math.floor(steps * strength), steps);
  const start = Math.max(steps - initTimestep, 0);
  scheduler.setBeginIndex(start * scheduler.order);
  return scheduler.timesteps.slice(start * scheduler.order);
}
