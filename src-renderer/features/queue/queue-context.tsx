// The queue as every page sees it: jobs (running, queued in run order, recent), live progress and previews.
// One provider at the top keeps one set of event subscriptions for the page and the app bar indicator.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Failure, StudioEventPayload } from '../../../src-preload/contract/index.ts';
import type { Job } from '../../../src-preload/contract/jobs.ts';
import { useStudio } from '../../client/studio-context.tsx';
import type { JobStageUpdate } from './job-activity.ts';

export type JobProgress = StudioEventPayload<'job.progress'>;

export interface QueueState {
  running: Job[];
  queued: Job[];
  recent: Job[];
  progress: ReadonlyMap<string, JobProgress>;
  previews: ReadonlyMap<string, string>;
  /** Per job, its latest stage (compiling, opening a graph) until the next step is reported. */
  stages: ReadonlyMap<string, JobStageUpdate>;
  failure: Failure | undefined;
  reload: () => void;
}

const QueueContext = createContext<QueueState | null>(null);

export function QueueProvider({ children }: { children: ReactNode }) {
  const studio = useStudio();
  const [jobs, setJobs] = useState<{ running: Job[]; queued: Job[]; recent: Job[] }>({ running: [], queued: [], recent: [] });
  const [failure, setFailure] = useState<Failure | undefined>();
  const [progress, setProgress] = useState<ReadonlyMap<string, JobProgress>>(new Map());
  const [previews, setPreviews] = useState<ReadonlyMap<string, string>>(new Map());
  const [stages, setStages] = useState<ReadonlyMap<string, JobStageUpdate>>(new Map());
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(() => {
    void studio.queue.list({}).then((result) => {
      if (result.ok) {
        setJobs(result.value);
        setFailure(undefined);
      } else setFailure(result.error);
    });
  }, [studio]);

  // Bursts of job updates (a batch queued at once) reload the list once.
  const reload = useCallback(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(load, 50);
  }, [load]);

  useEffect(() => {
    load();
    const offUpdated = studio.on('job.updated', reload);
    const offProgress = studio.on('job.progress', (payload) => {
      setProgress((previous) => new Map(previous).set(payload.jobId, payload));
      setStages((previous) => {
        if (!previous.has(payload.jobId)) return previous;
        const next = new Map(previous);
        next.delete(payload.jobId);
        return next;
      });
    });
    const offStage = studio.on('job.stage', (payload) => setStages((previous) => new Map(previous).set(payload.jobId, payload)));
    const offPreview = studio.on('job.preview', (payload) => setPreviews((previous) => new Map(previous).set(payload.jobId, payload.image)));
    return () => {
      offUpdated();
      offProgress();
      offStage();
      offPreview();
      clearTimeout(pending.current);
    };
  }, [studio, load, reload]);

  const value = useMemo(() => ({ ...jobs, progress, previews, stages, failure, reload }), [jobs, progress, previews, stages, failure, reload]);
  return <QueueContext.Provider value={value}>{children}</QueueContext.Provider>;
}

export function useQueue(): QueueState {
  const queue = useContext(QueueContext);
  if (queue === null) throw new Error('useQueue() outside <QueueProvider>');
  return queue;
}

/** Step, total, it/s and ETA of a job: from its latest progress event, else from the job row. */
export function jobProgress(job: Job, progress: ReadonlyMap<string, JobProgress>): { step: number; totalSteps: number; stepsPerSecond: number | undefined; etaMs: number | undefined; pass?: JobProgress['pass']; image?: JobProgress['image'] } {
  const live = progress.get(job.id);
  // A later pass (hires fix, face detail) or a best-of-N image counts its steps from 1 again.
  if (live !== undefined && (live.step >= job.step || (live.pass ?? 'generate') !== 'generate' || live.image !== undefined)) return live;
  return { step: job.step, totalSteps: job.totalSteps, stepsPerSecond: undefined, etaMs: undefined };
}
