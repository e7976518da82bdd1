// The engine's job queue, independent of how messages travel (worker thread, child process, utility process):
// jobs run one at a time in submission order; progress per step; a preview every N steps; cancel takes effect
// before the next step; a failing job is reported with its typed error and the next job still runs.
import { CancelledError, StudioError, toFailure } from '../../base/errors.ts';
import { fileHashCacheIn, type FileHashCache } from '../io/hash.ts';
import { compiledGraphLabel } from '../models/compile.ts';
import { SessionPool } from '../onnx/session-pool.ts';
import { generate, validateGenerationParams } from '../pipeline/generate.ts';
import { ModelLoader } from '../pipeline/model-loader.ts';
import { detectFaces } from '../face/analyze.ts';
import { loadFaceModels, releaseFaceModels, type FaceModels } from '../face/models.ts';
import type { FaceDetector } from '../pipeline/face-detail.ts';
import type { EngineEvent, EngineOptions, EngineRequest, EngineSettings } from './protocol.ts';
import { latentPreviewPng, previewLatent, previewPng } from './preview.ts';

type SubmitRequest = Extract<EngineRequest, { type: 'submit' }>;

const DEFAULT_BUDGET = 6 * 2 ** 30;

export class EngineService {
  private options: EngineOptions;
  /** Settings that arrived while a job ran, applied before the next one. */
  private pendingSettings: EngineSettings | undefined;
  private readonly emit: (event: EngineEvent, transfer?: ArrayBuffer[]) => void;
  private readonly pool: SessionPool;
  private readonly loader: ModelLoader;
  private readonly warnedPreviewDecoders = new Set<string>();
  private readonly hashes: FileHashCache;
  private readonly queue: SubmitRequest[] = [];
  private running: { jobId: string; controller: AbortController } | undefined;
  private idle: Promise<void> = Promise.resolve();
  private logCounter = 0;
  private faceModels: Promise<FaceModels> | undefined;

  constructor(options: EngineOptions, emit: (event: EngineEvent, transfer?: ArrayBuffer[]) => void) {
    this.options = options;
    this.emit = emit;
    this.pool = new SessionPool({
      memoryBudgetBytes: options.memoryBudgetBytes ?? DEFAULT_BUDGET,
      ...(options.preferredProviders && options.preferredProviders !== 'auto' ? { preferredProviders: options.preferredProviders } : {}),
      ...(options.compactWeights ? { compactWeights: true } : {}),
      ...(options.compactFromBytes !== undefined ? { compactFromBytes: options.compactFromBytes } : {}),
      log: (line) => console.warn(`[engine] ${line}`),
      onOpening: (graph) => {
        if (this.running) this.emit({ type: 'stage', jobId: this.running.jobId, stage: 'loading', detail: `Opening the ${compiledGraphLabel(graph)}` });
      },
    });
    this.hashes = fileHashCacheIn(options.cacheDir);
    this.loader = new ModelLoader({ cacheDir: options.cacheDir, pool: this.pool, ...(options.tokenizerDir ? { tokenizerDir: options.tokenizerDir } : {}), ...(options.configDir ? { configDir: options.configDir } : {}) });
  }

  handle(request: EngineRequest): void {
    switch (request.type) {
      case 'submit':
        this.queue.push(request);
        this.emit({ type: 'state', jobId: request.jobId, state: 'queued' });
        this.pump();
        break;
      case 'cancel':
        this.cancel(request.jobId);
        break;
      case 'configure':
        this.pendingSettings = { ...this.pendingSettings, ...request.settings };
        if (!this.running) this.idle = this.idle.then(() => this.applySettings());
        break;
      case 'providers':
        this.emit({ type: 'providers', providers: this.pool.providers() });
        break;
      case 'shutdown':
        for (const job of this.queue.splice(0)) this.emit({ type: 'state', jobId: job.jobId, state: 'cancelled', error: new CancelledError().toFailure() });
        this.running?.controller.abort();
        break;
    }
  }

  /** SCRFD from the configured face models folder, opened at the first face detail job (a failed open is tried again). */
  private detector(): FaceDetector | undefined {
    const folder = this.options.faceModelsFolder;
    if (folder === undefined) return undefined;
    return async (image, signal) => {
      const loading = (this.faceModels ??= loadFaceModels(folder));
      loading.catch(() => {
        if (this.faceModels === loading) this.faceModels = undefined;
      });
      return (await detectFaces(image, await loading, signal ? { signal } : {})).detections;
    };
  }

  /** Resolves when the queue has drained and the sessions are released. */
  async close(): Promise<void> {
    this.handle({ type: 'shutdown' });
    await this.idle;
    await this.pool.releaseAll();
    const faceModels = await this.faceModels?.catch(() => undefined);
    if (faceModels) await releaseFaceModels(faceModels);
  }

  private cancel(jobId: string): void {
    const index = this.queue.findIndex((j) => j.jobId === jobId);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.emit({ type: 'state', jobId, state: 'cancelled', error: new CancelledError().toFailure() });
    } else if (this.running?.jobId === jobId) {
      this.running.controller.abort();
    }
  }

  /** Settings take effect between jobs: a running job keeps the sessions and preview interval it started with. */
  private async applySettings(): Promise<void> {
    const settings = this.pendingSettings;
    if (!settings) return;
    this.pendingSettings = undefined;
    this.options = { ...this.options, ...settings };
    const { previewEvery: _readPerJob, ...poolSettings } = settings;
    try {
      await this.pool.configure(poolSettings);
    } catch (error) {
      // Releasing a session can only fail inside onnxruntime; the next job then opens what it needs anyway.
      console.warn('[engine] applying settings:', error);
    }
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const controller = new AbortController();
    this.running = { jobId: job.jobId, controller };
    // On the one chain of engine work, so a settings change still releasing sessions finishes before the job starts.
    this.idle = this.idle.then(() => this.applySettings()).then(() => this.run(job, controller.signal)).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  /** A preview through the job's TAESD decoder; if it cannot be used, the latent → RGB map (and a warning once). */
  private async decodedPreview(file: string, latent: Float32Array, height: number, width: number): Promise<Uint8Array> {
    try {
      const decoder = await this.loader.previewDecoder(file);
      const small = previewLatent(latent, height, width);
      return await previewPng(await decoder.decode(small.data, small.height, small.width), 8 * small.height, 8 * small.width);
    } catch (error) {
      if (!this.warnedPreviewDecoders.has(file)) console.warn(`[engine] previews without ${file}:`, (error as Error).message);
      this.warnedPreviewDecoders.add(file);
      return latentPreviewPng(latent, height, width);
    }
  }

  private async run(job: SubmitRequest, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    this.emit({ type: 'state', jobId: job.jobId, state: 'running' });
    const previewEvery = this.options.previewEvery ?? 5;
    let samplingStarted = started;
    let lastStepAt = started;
    let pass: string | undefined;
    try {
      const params = validateGenerationParams(job.params);
      const detectFaces = this.detector();
      const images = await generate(params, {
        loader: this.loader,
        hashes: this.hashes,
        signal,
        ...(detectFaces ? { detectFaces } : {}),
        ...(job.ip ? { ip: job.ip } : {}),
        ...(job.replay ? { replay: job.replay } : {}),
        ...(job.annotators ? { annotators: job.annotators } : {}),
        ...(job.previewDecoder ? { draftDecoder: job.previewDecoder } : {}),
        onCompileProgress: ({ done, total, message }) => {
          // The cache hit and the end report themselves through the steps that follow.
          if (done < total) this.emit({ type: 'stage', jobId: job.jobId, stage: 'compiling', detail: `${message} (${done + 1}/${total})` });
        },
        onModelLoaded: () => {
          samplingStarted = performance.now();
        },
        onStep: async (event) => {
          // Each pass counts its steps from 1; its speed is measured from its own start.
          if (event.pass !== pass) {
            if (pass !== undefined) samplingStarted = lastStepAt;
            pass = event.pass;
          }
          lastStepAt = performance.now();
          const seconds = (performance.now() - samplingStarted) / 1000;
          const itPerSec = seconds > 0 ? event.step / seconds : 0;
          this.emit({
            type: 'progress',
            jobId: job.jobId,
            step: event.step,
            total: event.total,
            pass: event.pass,
            itPerSec,
            etaSeconds: itPerSec > 0 ? (event.total - event.step) / itPerSec : 0,
          });
          if (previewEvery > 0 && event.step % previewEvery === 0 && event.step < event.total) {
            const latent = event.predOriginal ?? event.latents;
            const png = job.previewDecoder ? await this.decodedPreview(job.previewDecoder, latent, event.latentHeight, event.latentWidth) : await latentPreviewPng(latent, event.latentHeight, event.latentWidth);
            this.emit({ type: 'preview', jobId: job.jobId, step: event.step, png }, [png.buffer as ArrayBuffer]);
          }
        },
      });
      this.emit(
        { type: 'state', jobId: job.jobId, state: 'done', images, elapsedSeconds: elapsed() },
        images.map((i) => i.png.buffer as ArrayBuffer),
      );
    } catch (error) {
      if (error instanceof CancelledError || (signal.aborted && error instanceof StudioError && error.code === 'cancelled')) {
        this.emit({ type: 'state', jobId: job.jobId, state: 'cancelled', error: new CancelledError().toFailure(), elapsedSeconds: elapsed() });
        return;
      }
      const logId = `engine-${process.pid}-${++this.logCounter}`;
      if (!(error instanceof StudioError)) console.error(`[engine] ${logId}`, error);
      this.emit({ type: 'state', jobId: job.jobId, state: 'failed', error: toFailure(error, () => logId), elapsedSeconds: elapsed() });
    }
  }
}
