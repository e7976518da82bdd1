// What becomes of the jobs that were running when the engine went away: on quit they are recorded as
// interrupted (kept in the queue to run again), after an engine crash as failed, naming the crash.
import type { Job } from '../../src-preload/contract/jobs.ts';
import type { JobsRepository } from '../library/jobs-repository.ts';

export type EngineGone = { reason: 'quit' } | { reason: 'crash'; exitCode: number | null };

/** Jobs in the `running` state (queued ones simply wait for the next start). */
export function runningJobs(jobs: JobsRepository): Job[] {
  return jobs.list({ states: ['running'], limit: 1000 });
}

/** Ends every running job for `gone` and returns the ended jobs (to publish as `job.updated`). */
export function endRunningJobs(jobs: JobsRepository, gone: EngineGone): Job[] {
  return runningJobs(jobs).map((job) =>
    gone.reason === 'quit'
      ? jobs.finish(job.id, 'interrupted')
      : jobs.finish(job.id, 'failed', {
          code: 'generate.runtime-failed',
          userMessage: `The engine process stopped unexpectedly (exit code ${gone.exitCode ?? 'none: killed by a signal'}) while this job ran.`,
          hint: 'The engine has been restarted; run the job again. If it stops again, lower the image size or steps, and report it with the log.',
        }),
  );
}
