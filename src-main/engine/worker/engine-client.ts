// The app side of the engine: starts the worker thread, submits jobs (checked here first, so bad parameters fail
// before anything is queued), cancels them and relays progress / stage / preview / state events.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { StudioError } from '../../base/errors.ts';
import type { AnnotatorFiles } from '../control/control-image.ts';
import type { GenerationParamsInput } from '../../../src-preload/contract/generation.ts';
import type { ProviderStatus } from '../onnx/session-pool.ts';
import type { IpConditioning } from '../pipeline/diffuse.ts';
import { validateGenerationParams } from '../pipeline/generate.ts';
import type { GoldenReplay } from '../pipeline/golden-replay.ts';
import { FINAL_STATES, type EngineEvent, type EngineOptions, type EngineRequest, type EngineSettings, type JobPreviewEvent, type JobProgressEvent, type JobStageEvent, type JobStateEvent } from './protocol.ts';

const FINALS_KEPT = 256;

interface EngineClientEvents {
  progress: [JobProgressEvent];
  stage: [JobStageEvent];
  preview: [JobPreviewEvent];
  state: [JobStateEvent];
}

export class EngineClient extends EventEmitter<EngineClientEvents> {
  private readonly worker: Worker;
  private readonly open = new Set<string>();
  private readonly finals = new Map<string, JobStateEvent>();
  private providerWaiters: ((p: readonly ProviderStatus[]) => void)[] = [];
  private stopped = false;

  private constructor(options: EngineOptions) {
    super();
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { workerData: options });
    this.worker.on('message', (event: EngineEvent) => this.onEvent(event));
    this.worker.on('error', (error) => this.failOpenJobs(`The engine stopped unexpectedly: ${error.message}`));
    this.worker.on('exit', () => this.failOpenJobs('The engine stopped.'));
  }

  static start(options: EngineOptions): EngineClient {
    return new EngineClient(options);
  }

  /** Queues a generation; throws StudioError('generate.invalid-parameter') before queuing anything if params are bad. */
  /** `extras.replay` is a test entry point (see GenerateContext.replay). */
  submit(params: GenerationParamsInput, extras: { ip?: IpConditioning; replay?: GoldenReplay; previewDecoder?: string; annotators?: AnnotatorFiles } = {}): string {
    if (this.stopped) throw new StudioError('generate.engine-stopped', { userMessage: 'The engine has been shut down.', hint: 'Restart the app.' });
    const checked = validateGenerationParams(params);
    const jobId = randomUUID();
    this.open.add(jobId);
    this.post({ type: 'submit', jobId, params: checked, ...(extras.ip ? { ip: extras.ip } : {}), ...(extras.replay ? { replay: extras.replay } : {}), ...(extras.previewDecoder ? { previewDecoder: extras.previewDecoder } : {}), ...(extras.annotators ? { annotators: extras.annotators } : {}) });
    return jobId;
  }

  /** Changes settings; a running job finishes with the ones it started with. */
  configure(settings: EngineSettings): void {
    if (!this.stopped) this.post({ type: 'configure', settings });
  }

  cancel(jobId: string): void {
    if (!this.open.has(jobId) && !this.finals.has(jobId)) {
      throw new StudioError('generate.job-not-found', { userMessage: `There is no job ${jobId}.`, hint: 'It may have finished already.' });
    }
    if (this.open.has(jobId)) this.post({ type: 'cancel', jobId });
  }

  /** Resolves with the job's final state event (done, failed or cancelled). */
  waitFor(jobId: string): Promise<JobStateEvent> {
    const known = this.finals.get(jobId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const listener = (event: JobStateEvent) => {
        if (event.jobId === jobId && FINAL_STATES.has(event.state)) {
          this.off('state', listener);
          resolve(event);
        }
      };
      this.on('state', listener);
    });
  }

  /** Execution providers tried so far, with the reason for each one not in use. */
  providers(): Promise<readonly ProviderStatus[]> {
    return new Promise((resolve) => {
      this.providerWaiters.push(resolve);
      this.post({ type: 'providers' });
    });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'shutdown' } satisfies EngineRequest);
    const timeout = setTimeout(() => void this.worker.terminate(), 30_000);
    await exited;
    clearTimeout(timeout);
  }

  private post(request: EngineRequest): void {
    this.worker.postMessage(request);
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'progress':
        this.emit('progress', event);
        break;
      case 'stage':
        this.emit('stage', event);
        break;
      case 'preview':
        this.emit('preview', event);
        break;
      case 'providers':
        for (const waiter of this.providerWaiters.splice(0)) waiter(event.providers);
        break;
      case 'state':
        if (FINAL_STATES.has(event.state)) {
          this.open.delete(event.jobId);
          this.finals.set(event.jobId, event);
          // Remember recent outcomes for waitFor() after the fact, not every job of a long session.
          if (this.finals.size > FINALS_KEPT) this.finals.delete(this.finals.keys().next().value!);
        }
        this.emit('state', event);
        break;
    }
  }

  private failOpenJobs(message: string): void {
    this.stopped = true;
    for (const jobId of [...this.open]) {
      this.onEvent({ type: 'state', jobId, state: 'failed', error: { code: 'generate.engine-stopped', userMessage: message, hint: 'Restart the app; the job can be run again.' } });
    }
  }
}
