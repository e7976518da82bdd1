// The one line that says what a running job is doing: compiling or opening its model before the first step (minutes
// for a full-size model on first use), the step with it/s and time left, or decoding after the last step.
import type { StudioEventPayload } from '../../../src-preload/contract/index.ts';

export type JobStageUpdate = StudioEventPayload<'job.stage'>;

export interface JobStepProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly stepsPerSecond: number | undefined;
  readonly etaMs: number | undefined;
  /** Which pass runs (hires fix, face detail) and which image of a best-of-N job, when there is more than one. */
  readonly pass?: StudioEventPayload<'job.progress'>['pass'];
  readonly image?: StudioEventPayload<'job.progress'>['image'];
}

const PASS_NAMES = { generate: 'Generating', hires: 'Hires fix', 'face-detail': 'Face detail' } as const;

/** "Face detail · image 2 of 4 · " before the step count; nothing for a plain one-pass job. */
export function passLabel(progress: Pick<JobStepProgress, 'pass' | 'image'>): string {
  const parts = [...(progress.pass === undefined || (progress.pass === 'generate' && progress.image === undefined) ? [] : [PASS_NAMES[progress.pass]]), ...(progress.image === undefined ? [] : [`image ${progress.image.index} of ${progress.image.of}`])];
  return parts.length === 0 ? '' : `${parts.join(' · ')} · `;
}

export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '';
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** `stage`: the job's latest stage event if no step has been reported since. After the last step the step figures stay
 *  and the line says what follows (decoding, or opening the decoder first). */
export function jobActivity(progress: JobStepProgress, stage: JobStageUpdate | undefined): string {
  if (stage?.stage === 'compiling') return `Compiling the model for first use: ${stage.detail}…`;
  if (progress.step === 0) return stage === undefined ? 'Starting…' : `${stage.detail}…`;
  const rate = progress.stepsPerSecond === undefined ? '' : ` · ${progress.stepsPerSecond.toFixed(2)} it/s`;
  const steps = `${passLabel(progress)}Step ${Math.min(progress.step, progress.totalSteps)} of ${progress.totalSteps}${rate}`;
  if (stage !== undefined) return `${steps} · ${stage.detail.charAt(0).toLowerCase()}${stage.detail.slice(1)}…`;
  if (progress.step >= progress.totalSteps) return `${steps} · decoding the image…`;
  return `${steps}${progress.etaMs === undefined ? '' : ` · ${formatEta(progress.etaMs)} left`}`;
}
