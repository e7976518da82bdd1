// Runs the library's queued jobs through the engine, one at a time in queue order: FaceID tokens first (from the
// photos or the character), then the engine's steps relayed as progress and preview events, then each image kept
// in the library (PNG with its A1111 parameters, a generation row, the identity score against the character).
// Every outcome is recorded on the job: done, failed with its typed error, or cancelled. The engine behind it is
// the worker thread (host) or the supervised utility process (Electron); both speak GenerationEngine.
import type { GenerationParams } from '../../src-preload/contract/generation.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import type { Settings } from '../../src-preload/contract/settings.ts';
import { isMediaPath } from '../../src-preload/contract/media.ts';
import { CancelledError, StudioError, throwIfCancelled, toFailure } from '../base/errors.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import type { EngineClient } from '../engine/worker/engine-client.ts';
import { FINAL_STATES, type EngineSettings, type JobPreviewEvent, type JobProgressEvent, type JobStateEvent } from '../engine/worker/protocol.ts';
import type { Library } from '../library/library.ts';
import { engineSettingsFrom } from './engine-settings.ts';
import type { StudioEventBus } from './events.ts';
import type { FaceService } from './face-service.ts';
import type { JobEngine } from './handlers/handler-types.ts';
import { withPromptLoras } from './prompt-loras.ts';

export type EngineEvent = JobProgressEvent | JobPreviewEvent | JobStateEvent;

/** What the runner needs of an engine; engine ids are the engine's own, the runner maps them to library jobs. */
/** Media folder of live previews (each job's, until the next job ends). */
const PREVIEWS_FOLDER = 'previews';

export interface GenerationEngine {
  submit(params: GenerationParams, extras: { ip?: IpConditioning }): string;
  cancel(engineJobId: string): void;
  /** New settings, taken before the engine's next job. */
  configure(settings: EngineSettings): void;
  /** Every progress, preview and state event; returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** The worker-thread engine as a GenerationEngine. */
export function engineClientAsGenerationEngine(client: EngineClient): GenerationEngine {
  return {
    submit: (params, extras) => client.submit(params, extras),
    cancel: (id) => client.cancel(id),
    configure: (settings) => client.configure(settings),
    subscribe: (listener) => {
      client.on('progress', listener);
      client.on('preview', listener);
      client.on('state', listener);
      return () => {
        client.off('progress', listener);
        client.off('preview', listener);
        client.off('state', listener);
      };
    },
  };
}

interface RunningJob {
  readonly job: Job;
  readonly controller: AbortController;
  engineJobId: string | undefined;
  readonly previews: string[];
}

export class JobRunner implements JobEngine {
  readonly #library: Library;
  readonly #events: StudioEventBus;
  readonly #engine: GenerationEngine;
  readonly #faces: FaceService;
  readonly #unsubscribe: () => void;
  readonly #finals = new Map<string, (event: JobStateEvent) => void>();
  #running: RunningJob | undefined;
  /**
   * The last ended job's previews, removed when the next job ends: a window may still be loading the last one when a
   * fast job ends, and would get a missing file instead.
   */
  #endedPreviews: readonly string[] = [];
  #idle: Promise<void> = Promise.resolve();
  #closed = false;

  readonly #loraFiles: () => Promise<readonly string[]>;

  /** `loraFiles`: the LoRA files in the model folders, which `<lora:name:w>` tags in prompts name by file stem. */
  constructor(options: { library: Library; events: StudioEventBus; engine: GenerationEngine; faces: FaceService; loraFiles: () => Promise<readonly string[]> }) {
    this.#loraFiles = options.loraFiles;
    this.#library = options.library;
    this.#events = options.events;
    this.#engine = options.engine;
    this.#faces = options.faces;
    this.#unsubscribe = this.#engine.subscribe((event) => this.#onEngineEvent(event));
    // Previews left by a studio that stopped mid-job; no job runs before wake().
    this.#library.blobs.removeFolder(PREVIEWS_FOLDER);
  }

  /** Starts the next queued job unless one is running (called on enqueue and at start). */
  wake(): void {
    if (this.#running !== undefined || this.#closed) return;
    const next = this.#library.jobs.nextQueued();
    if (next === undefined) return;
    const job = this.#library.jobs.markRunning(next.id);
    this.#events.emit('job.updated', { job });
    const running: RunningJob = { job, controller: new AbortController(), engineJobId: undefined, previews: [] };
    this.#running = running;
    this.#idle = this.#run(running).finally(() => {
      this.#running = undefined;
      this.wake();
    });
  }

  /** Stops the running job at its next step (or before the engine has it); it is recorded as cancelled. */
  cancel(jobId: string): void {
    const running = this.#running;
    if (running?.job.id !== jobId) return;
    running.controller.abort();
    if (running.engineJobId !== undefined) this.#engine.cancel(running.engineJobId);
  }

  applySettings(settings: Settings): void {
    this.#engine.configure(engineSettingsFrom(settings));
  }

  /** Resolves when the running job (if any) has ended; no further job starts. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#running !== undefined) this.cancel(this.#running.job.id);
    await this.#idle;
    this.#unsubscribe();
    this.#removePreviews(this.#endedPreviews);
  }

  async #run(running: RunningJob): Promise<void> {
    const { job, controller } = running;
    try {
      const params = await withPromptLoras(this.#withLibraryFiles(job.params), this.#loraFiles);
      const ip = params.faceid ? await this.#faces.conditioning(params.faceid, job.characterId, controller.signal, params.model) : undefined;
      throwIfCancelled(controller.signal, 'The generation');
      const engineJobId = this.#engine.submit(params, ip ? { ip } : {});
      running.engineJobId = engineJobId;
      const final = await new Promise<JobStateEvent>((resolve) => this.#finals.set(engineJobId, resolve));
      if (final.state === 'done') await this.#keepImages(job, final, controller.signal);
      else if (final.state === 'cancelled') throw new CancelledError();
      else throw new StudioError(final.error?.code ?? 'generate.runtime-failed', { userMessage: final.error?.userMessage ?? `The engine ended the job as ${final.state}.`, ...(final.error?.hint ? { hint: final.error.hint } : {}) });
      this.#finish(job.id, 'done');
    } catch (error) {
      if (error instanceof CancelledError || controller.signal.aborted) this.#finish(job.id, 'cancelled');
      else this.#finish(job.id, 'failed', toFailure(error, () => `job-${job.id.slice(0, 8)}`));
      if (!(error instanceof StudioError) && !(error instanceof CancelledError)) console.error(`[jobs] job ${job.id} failed:`, error);
    } finally {
      this.#removePreviews(this.#endedPreviews);
      this.#endedPreviews = running.previews;
    }
  }

  #removePreviews(previews: readonly string[]): void {
    for (const preview of previews) this.#library.blobs.remove(preview);
  }

  /** Images the renderer names by media path (a gallery image to remix, a saved mask) become files the engine can open. */
  #withLibraryFiles(params: GenerationParams): GenerationParams {
    const file = (image: string) => (isMediaPath(image) ? this.#library.blobs.absolute(image) : image);
    return {
      ...params,
      ...(params.img2img ? { img2img: { ...params.img2img, initImage: file(params.img2img.initImage) } } : {}),
      ...(params.inpaint ? { inpaint: { ...params.inpaint, maskImage: file(params.inpaint.maskImage) } } : {}),
      ...(params.faceid ? { faceid: { ...params.faceid, faces: params.faceid.faces.map(file) } } : {}),
    };
  }

  async #keepImages(job: Job, final: JobStateEvent, signal: AbortSignal): Promise<void> {
    const character = job.characterId ?? job.params.faceid?.characterId ?? null;
    const identity = character !== null && this.#faces.installed() ? await this.#faces.characterEmbedding(character).catch(() => undefined) : undefined;
    for (const image of final.images ?? []) {
      // Measured only when the character has an identity; an image without a face is recorded as null, never 0.
      const identityScore = identity === undefined ? null : await this.#faces.identityScore(identity, image.png, signal).catch(() => null);
      const generation = this.#library.recordGeneration({
        jobId: job.id,
        characterId: job.characterId,
        parentId: job.parentId,
        // Each image keeps the parameters that make exactly it again: its own seed, one image.
        params: { ...job.params, seed: image.seed, batchSize: 1 },
        seed: image.seed,
        width: image.width,
        height: image.height,
        identityScore,
        png: Buffer.from(image.png),
      });
      this.#events.emit('generation.created', { generation });
    }
  }

  #finish(jobId: string, state: 'done' | 'failed' | 'cancelled', error: Parameters<Library['jobs']['finish']>[2] = null): void {
    const current = this.#library.jobs.get(jobId);
    if (current.state !== 'running') return;
    const job = this.#library.jobs.finish(jobId, state, error);
    this.#events.emit('job.updated', { job });
  }

  #onEngineEvent(event: EngineEvent): void {
    const running = this.#running;
    if (event.type === 'state') {
      if (FINAL_STATES.has(event.state)) {
        this.#finals.get(event.jobId)?.(event);
        this.#finals.delete(event.jobId);
      }
      return;
    }
    if (running === undefined || running.engineJobId !== event.jobId) return;
    const jobId = running.job.id;
    if (event.type === 'progress') {
      this.#library.jobs.recordProgress(jobId, event.step);
      this.#events.emit('job.progress', { jobId, step: event.step, totalSteps: event.total, stepsPerSecond: event.itPerSec, etaMs: event.etaSeconds * 1000 });
    } else {
      const image = `${PREVIEWS_FOLDER}/${jobId.slice(0, 2)}/${jobId}-${event.step}.png`;
      this.#library.blobs.write(image, event.png);
      running.previews.push(image);
      this.#events.emit('job.preview', { jobId, step: event.step, image });
    }
  }
}
