// Runs the library's queued jobs through the engine, one at a time in queue order: FaceID tokens first (from the
// photos or the character), then the engine's steps relayed as progress and preview events, then each image kept
// in the library (PNG with its A1111 parameters, a generation row, the identity score against the character).
// Every outcome is recorded on the job: done, failed with its typed error, or cancelled. The engine behind it is
// the worker thread (host) or the supervised utility process (Electron); both speak GenerationEngine.
import { readFile } from 'node:fs/promises';
import type { GenerationParams } from '../../src-preload/contract/generation.ts';
import type { Job } from '../../src-preload/contract/jobs.ts';
import type { Settings } from '../../src-preload/contract/settings.ts';
import { isMediaPath } from '../../src-preload/contract/media.ts';
import { CancelledError, StudioError, throwIfCancelled, toFailure } from '../base/errors.ts';
import { needsAnnotators, type AnnotatorFiles } from '../engine/control/control-image.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import type { EngineClient } from '../engine/worker/engine-client.ts';
import { FINAL_STATES, type EngineSettings, type JobImage, type JobPreviewEvent, type JobProgressEvent, type JobStageEvent, type JobStateEvent } from '../engine/worker/protocol.ts';
import type { Library } from '../library/library.ts';
import { engineSettingsFrom } from './engine-settings.ts';
import type { StudioEventBus } from './events.ts';
import type { FaceService } from './face-service.ts';
import { bestOfSubmissions, rankByIdentity } from './best-of.ts';
import { checkFacePass } from './face-pass-check.ts';
import type { JobEngine } from './handlers/handler-types.ts';
import { withPromptEmbeddings } from './prompt-embeddings.ts';
import { withPromptLoras } from './prompt-loras.ts';

export type EngineEvent = JobProgressEvent | JobStageEvent | JobPreviewEvent | JobStateEvent;

/** Media folder of live previews (each job's, until the next job ends). */
const PREVIEWS_FOLDER = 'previews';

/** What the runner needs of an engine; engine ids are the engine's own, the runner maps them to library jobs. */
export interface GenerationEngine {
  submit(params: GenerationParams, extras: { ip?: IpConditioning; previewDecoder?: string; annotators?: AnnotatorFiles }): string;
  cancel(engineJobId: string): void;
  /** New settings, taken before the engine's next job. */
  configure(settings: EngineSettings): void;
  /** Every progress, stage, preview and state event; returns the unsubscribe function. */
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
      client.on('stage', listener);
      client.on('preview', listener);
      client.on('state', listener);
      return () => {
        client.off('progress', listener);
        client.off('stage', listener);
        client.off('preview', listener);
        client.off('state', listener);
      };
    },
  };
}

/** What the runner needs of the face service: FaceID tokens and identity scores. */
export type JobFaces = Pick<FaceService, 'conditioning' | 'installed' | 'characterEmbedding' | 'photosEmbedding' | 'identityScore'>;

interface RunningJob {
  readonly job: Job;
  readonly controller: AbortController;
  /** The engine jobs making this job's images (several for best-of-N, in seed order). */
  engineJobIds: readonly string[];
  readonly previews: string[];
}

/** An image the engine made, with its identity score (null: not measured, or no face). */
interface ScoredImage {
  readonly image: JobImage;
  readonly identityScore: number | null;
  /** The picture before a face detail pass that changed it, with its score (it is kept as the parent, or instead). */
  readonly before?: { readonly png: Uint8Array; readonly identityScore: number | null; readonly inLibrary: boolean };
}

export class JobRunner implements JobEngine {
  readonly #library: Library;
  readonly #events: StudioEventBus;
  readonly #engine: GenerationEngine;
  readonly #faces: JobFaces;
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
  readonly #embeddingFiles: () => Promise<readonly string[]>;
  readonly #previewDecoderFor: (checkpoint: string) => Promise<string | undefined>;
  readonly #annotators: () => Promise<AnnotatorFiles>;

  /**
   * `loraFiles`: the LoRA files in the model folders, which `<lora:name:w>` tags in prompts name by file stem;
   * `embeddingFiles`: the textual-inversion files there, which prompts name by file stem as words;
   * `previewDecoderFor`: the TAESD decoder that previews a job on this checkpoint, if the model folders have one;
   * `annotators`: the preprocessors' models found in the model folders (DWPose), asked for by jobs with control units.
   */
  constructor(options: { library: Library; events: StudioEventBus; engine: GenerationEngine; faces: JobFaces; loraFiles: () => Promise<readonly string[]>; embeddingFiles?: () => Promise<readonly string[]>; previewDecoderFor?: (checkpoint: string) => Promise<string | undefined>; annotators?: () => Promise<AnnotatorFiles> }) {
    this.#loraFiles = options.loraFiles;
    this.#embeddingFiles = options.embeddingFiles ?? (async () => []);
    this.#previewDecoderFor = options.previewDecoderFor ?? (async () => undefined);
    this.#annotators = options.annotators ?? (async () => ({}));
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
    const running: RunningJob = { job, controller: new AbortController(), engineJobIds: [], previews: [] };
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
    for (const id of running.engineJobIds) this.#engine.cancel(id);
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
      const params = await withPromptEmbeddings(await withPromptLoras(this.#withDefaultVae(this.#withLibraryFiles(job.params)), this.#loraFiles), this.#embeddingFiles);
      const ip = params.faceid ? await this.#faces.conditioning(params.faceid, job.characterId, controller.signal, params.model) : undefined;
      throwIfCancelled(controller.signal, 'The generation');
      const identity = await this.#identity(job, params, controller.signal);
      const previewDecoder = await this.#previewDecoderFor(params.model);
      const annotators = params.control.some((unit) => needsAnnotators(unit.preprocess)) ? await this.#annotators() : undefined;
      // Best-of-N: every image is its own engine job, queued at once; each is scored as soon as it is made.
      const submissions = bestOfSubmissions(params);
      const finals = submissions.map((single) => {
        const id = this.#engine.submit(single, { ...(ip ? { ip } : {}), ...(previewDecoder ? { previewDecoder } : {}), ...(annotators ? { annotators } : {}) });
        return { id, final: new Promise<JobStateEvent>((resolve) => this.#finals.set(id, resolve)) };
      });
      running.engineJobIds = finals.map((f) => f.id);
      const scored = await Promise.all(finals.map(async ({ final }) => this.#scored(await final, params, identity, controller.signal)));
      await this.#keepImages(job, scored.flat(), controller.signal);
      this.#finish(job.id, 'done');
    } catch (error) {
      // One image of a best-of-N job failed: the others are not wanted any more.
      for (const id of running.engineJobIds) this.#engine.cancel(id);
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

  /** A job that names no VAE uses the one Settings name (A1111's SD VAE); VAE_AUTOMATIC keeps the checkpoint's own. */
  #withDefaultVae(params: GenerationParams): GenerationParams {
    const fallback = this.#library.settings.get().defaultVae;
    return params.vae === undefined && fallback !== null ? { ...params, vae: fallback } : params;
  }

  /** Images the renderer names by media path (a gallery image to remix, a saved mask) become files the engine can open. */
  #withLibraryFiles(params: GenerationParams): GenerationParams {
    const file = (image: string) => (isMediaPath(image) ? this.#library.blobs.absolute(image) : image);
    return {
      ...params,
      ...(params.img2img ? { img2img: { ...params.img2img, initImage: file(params.img2img.initImage) } } : {}),
      ...(params.inpaint ? { inpaint: { ...params.inpaint, maskImage: file(params.inpaint.maskImage) } } : {}),
      ...(params.faceid ? { faceid: { ...params.faceid, faces: params.faceid.faces.map(file) } } : {}),
      ...(params.faceDetail?.sourceImage ? { faceDetail: { ...params.faceDetail, sourceImage: file(params.faceDetail.sourceImage) } } : {}),
      control: params.control.map((unit) => ({ ...unit, image: file(unit.image) })),
    };
  }

  /**
   * The identity images are scored against: the character's, else (FaceID from photos, for a job that ranks or
   * checks by identity) the photos' mean embedding.
   * Undefined when there is none or the face models are not installed — unless best-of-N needs it to rank.
   */
  async #identity(job: Job, params: GenerationParams, signal: AbortSignal): Promise<Float32Array | undefined> {
    const character = job.characterId ?? params.faceid?.characterId ?? null;
    const photos = params.faceid?.faces ?? [];
    const installed = this.#faces.installed();
    const identity = !installed
      ? undefined
      : character !== null
        ? await this.#faces.characterEmbedding(character).catch((e: unknown) => (params.bestOf ? Promise.reject(e) : undefined))
        : photos.length > 0 && this.#needsIdentity(params)
          ? await this.#faces.photosEmbedding(photos, signal).catch((e: unknown) => (params.bestOf ? Promise.reject(e) : undefined))
          : undefined;
    if (params.bestOf && identity === undefined) {
      throw new StudioError('generate.invalid-parameter', {
        userMessage: installed ? 'Best-of-N keeps the images most like the character, but this job has no character or face photos to compare with.' : 'Best-of-N ranks images by identity score, which needs the face models.',
        hint: installed ? 'Choose a character (or FaceID photos), or turn best-of-N off.' : 'Install the face models (Models page), or turn best-of-N off.',
      });
    }
    return identity;
  }

  /** Jobs whose outcome depends on the identity score; the others measure it only against a character. */
  #needsIdentity(params: GenerationParams): boolean {
    return params.bestOf !== undefined || params.faceDetail?.identityCheck === true;
  }

  /** A finished engine job's images with their identity scores; a failed or cancelled one as its error. */
  async #scored(final: JobStateEvent, params: GenerationParams, identity: Float32Array | undefined, signal: AbortSignal): Promise<ScoredImage[]> {
    if (final.state === 'cancelled') throw new CancelledError();
    if (final.state !== 'done') {
      throw new StudioError(final.error?.code ?? 'generate.runtime-failed', { userMessage: final.error?.userMessage ?? `The engine ended the job as ${final.state}.`, ...(final.error?.hint ? { hint: final.error.hint } : {}) });
    }
    const scored: ScoredImage[] = [];
    // An image without a face is recorded as null, never 0.
    const score = (png: Uint8Array) => (identity === undefined ? Promise.resolve(null) : this.#faces.identityScore(identity, png, signal).catch(() => null));
    // "Fix face" repaints a picture the library already has: that one is the picture before the pass.
    const source = params.faceDetail?.sourceImage;
    for (const image of final.images ?? []) {
      const repainted = (image.faceDetail?.repainted ?? 0) > 0;
      const before = image.faceDetail?.before?.png ?? (source !== undefined && repainted ? new Uint8Array(await readFile(source)) : undefined);
      scored.push({ image, identityScore: await score(image.png), ...(before ? { before: { png: before, identityScore: await score(before), inLibrary: source !== undefined } } : {}) });
    }
    return scored;
  }

  async #keepImages(job: Job, images: readonly ScoredImage[], signal: AbortSignal): Promise<void> {
    throwIfCancelled(signal, 'The generation');
    const bestOf = job.params.bestOf;
    const ranked = bestOf ? rankByIdentity(images.map((s) => ({ item: s, score: s.identityScore })), bestOf.keep) : undefined;
    const keep = ranked ? ranked.filter((r) => r.kept || bestOf!.keepRejected) : images.map((item) => ({ item, rank: undefined, kept: true }));
    if (bestOf && ranked) {
      const best = ranked.filter((r) => r.kept).map((r) => (r.score === null ? 'no face' : r.score.toFixed(3)));
      this.#library.jobs.addNotes(job.id, [`Best ${bestOf.keep} of ${bestOf.count} by identity score kept (${best.join(', ')}); the other ${bestOf.count - bestOf.keep} ${bestOf.keepRejected ? 'are kept marked as rejected' : 'were discarded'}.`]);
    }
    const notes = new Set<string>();
    for (const { item, rank, kept } of keep) {
      const { image, identityScore, before } = item;
      const { bestOf: _oneImage, faceDetail, ...plain } = job.params;
      // Each image keeps the parameters that make exactly it again: its own seed, one image.
      const params = { ...plain, seed: image.seed, batchSize: 1, ...(faceDetail ? { faceDetail } : {}) };
      const ranking = rank === undefined || bestOf === undefined ? {} : { ranking: { rank, of: bestOf.count, kept } };
      if (image.faceDetail?.skipped) notes.add(image.faceDetail.skipped);
      const verdict = before ? checkFacePass(before.identityScore, identityScore, faceDetail?.identityCheck ?? false) : { keepBefore: false };
      if (verdict.note) notes.add(verdict.note);
      // The picture before the pass is kept as the parent of the one after it (or instead of it, when it scored higher).
      const parent = before && !before.inLibrary
        ? this.#record(job, { params: { ...plain, seed: image.seed, batchSize: 1 }, seed: image.seed, width: image.width, height: image.height, identityScore: before.identityScore, ...ranking, png: before.png, parentId: job.parentId })
        : undefined;
      if (!verdict.keepBefore) this.#record(job, { params, seed: image.seed, width: image.width, height: image.height, identityScore, ...ranking, png: image.png, parentId: parent?.id ?? job.parentId });
    }
    this.#library.jobs.addNotes(job.id, [...notes]);
  }

  #record(job: Job, image: Omit<Parameters<Library['recordGeneration']>[0], 'png' | 'jobId' | 'characterId'> & { png: Uint8Array }): { id: string } {
    const generation = this.#library.recordGeneration({ ...image, jobId: job.id, characterId: job.characterId, png: Buffer.from(image.png) });
    this.#events.emit('generation.created', { generation });
    return generation;
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
    const index = running === undefined ? -1 : running.engineJobIds.indexOf(event.jobId);
    if (running === undefined || index < 0) return;
    const jobId = running.job.id;
    if (event.type === 'progress') {
      const count = running.engineJobIds.length;
      this.#library.jobs.recordProgress(jobId, event.step);
      this.#events.emit('job.progress', {
        jobId,
        step: event.step,
        totalSteps: event.total,
        stepsPerSecond: event.itPerSec,
        etaMs: event.etaSeconds * 1000,
        pass: event.pass,
        ...(count > 1 ? { image: { index: index + 1, of: count } } : {}),
      });
    } else if (event.type === 'stage') {
      this.#events.emit('job.stage', { jobId, stage: event.stage, detail: event.detail });
    } else {
      // Numbered in arrival order: best-of-N images and later passes count their steps from 1 again.
      const image = `${PREVIEWS_FOLDER}/${jobId.slice(0, 2)}/${jobId}-${running.previews.length + 1}.png`;
      this.#library.blobs.write(image, event.png);
      running.previews.push(image);
      this.#events.emit('job.preview', { jobId, step: event.step, image });
    }
  }
}
