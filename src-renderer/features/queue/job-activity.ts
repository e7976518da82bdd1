// The one line that says what a running job is doing: compiling or opening its model before the first step (minutes
// for a full-size model on first use), the step with it/s and time left, or decoding after the last step.
import type { StudioEventPayload } from '../../../src-preload/contract/index.ts';

export type JobStageUpdate = StudioEventPayload<'job.stage'>;

export interface JobStepProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly stepsPerSecond: number | undefined;
  readonly etaMs: number | undefined;
}

export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '';
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** `stage`: the job's latest stage event if no step has been reported since. */
export function jobActivity(progress: JobStepProgress, stage: JobStageUpdate | undefined): string {
  if (stage?.stage === 'compiling') return `Compiling the model for first use: ${stage.detail}…`;
  if (stage?.stage === 'loading') return `${stage.detail}…`;
  if (progress.step === 0) return 'Starting…';
  if (progress.step >= progress.totalSteps) return `Step ${progress.totalSteps} of ${progress.totalSteps} · decoding the image…`;
  const rate = progress.stepsPerSecond === undefined ? '' : ` · ${progress.stepsPerSecond.toFixed(2)} it/s`;
  const left = progress.etaMs === undefined ? '' : ` · ${formatEta(progress.etaMs)} left`;
  return `Step ${progress.step} of ${progress.totalSteps}${rate}${left}`;
}
