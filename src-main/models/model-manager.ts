// The model manager service: catalog, folder scan, readiness, and downloads of a model with everything
// it needs, and the NVIDIA GPU runtime (gpu-runtime.ts) beside onnxruntime. One instance per studio (built in
// app/compose.ts); the Models page and `faceid doctor` call it. It knows files, HTTP and licences, not tensors.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import type { Failure } from '../../src-preload/contract/errors.ts';
import { CancelledError, StudioError } from '../base/errors.ts';
import { onnxruntimeNativeFolder, onnxruntimeVersion } from '../engine/onnx/execution-providers.ts';
import type { CatalogEntry } from './catalog-schema.ts';
import { loadCatalog, type ModelCatalog } from './catalog.ts';
import { DEFAULT_RETRY, discardPartial, downloadFile, type RetryPolicy } from './download.ts';
import type { DownloadProgress } from './download-progress.ts';
import { GPU_RUNTIME_ID, gpuRuntimeState, installGpuRuntime, type GpuRuntimeState, type InstalledGpuRuntime, type NugetFeed } from './gpu-runtime.ts';
import { createIdentifier, IDENTIFIER_VERSION } from './identify.ts';
import type { Identify } from './identity.ts';
import { ModelsStateFile } from './models-state.ts';
import { proxyDispatcherFromEnv, type ProxyEnvironment } from './proxy.ts';
import { computeReadiness, type ReadinessReport } from './readiness.ts';
import { scanModelFolders, type ScanResult } from './scan.ts';
import { huggingFaceHeaders, type SecretStore } from './secret-store.ts';
import { extractZipMember } from './zip-member.ts';

export interface ModelManagerOptions {
  /** The studio's own models folder: downloads land here, in ComfyUI's folder names. */
  readonly modelsDir: string;
  /** The studio folder for state: models-state.json and scan-cache.json. */
  readonly stateDir: string;
  /** ComfyUI / A1111 installs (or any folder) to read in place. */
  readonly userRoots?: readonly string[];
  readonly catalog?: ModelCatalog;
  readonly secretStore?: SecretStore;
  /** HTTPS_PROXY/HTTP_PROXY/NO_PROXY as app/environment.ts read them; without it downloads go direct. */
  readonly proxy?: ProxyEnvironment;
  /** Replaces the dispatcher made from `proxy`. */
  readonly dispatcher?: Dispatcher;
  readonly identify?: Identify;
  /** Bump when `identify` learns new formats, so cached "not identified" answers are redone. */
  readonly identifierVersion?: string;
  readonly retry?: RetryPolicy;
  /** Where the NVIDIA GPU runtime is unpacked (default: the installed onnxruntime-node's native folder) and from which feed. */
  readonly gpuRuntime?: { readonly nativeFolder?: string; readonly platform?: NodeJS.Platform; readonly arch?: string; readonly feed?: NugetFeed };
}

export type DownloadState = 'started' | 'finished' | 'paused' | 'cancelled' | 'failed';

export type ModelEvent =
  | { readonly type: 'download.progress'; readonly id: string; readonly progress: DownloadProgress }
  | { readonly type: 'download.state'; readonly id: string; readonly state: DownloadState; readonly failure?: Failure }
  | { readonly type: 'scan.finished'; readonly fileCount: number; readonly identifiedCount: number; readonly durationMs: number };

export interface InstalledModel {
  readonly id: string;
  readonly path: string;
  /** Null when it was already in place and not re-hashed. */
  readonly sha256: string | null;
}

interface SharedJob {
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  waiters: number;
}

export class ModelManager {
  readonly events = new EventEmitter<{ event: [ModelEvent] }>();
  readonly modelsDir: string;
  private readonly options: ModelManagerOptions;
  private readonly modelCatalog: ModelCatalog;
  private readonly state: ModelsStateFile;
  private readonly identify: Identify;
  private readonly dispatcher: Dispatcher;
  private userRoots: readonly string[];
  private lastScan: ScanResult | null = null;
  private scanning: Promise<ScanResult> | null = null;
  /** In-flight fetches keyed by catalog id (or archive URL): a shared dependency is fetched once. */
  private readonly jobs = new Map<string, SharedJob>();
  /** The top-level download(id) calls, for pause/cancel. */
  private readonly active = new Map<string, AbortController>();
  /** The NVIDIA GPU runtime's install in flight, if any. */
  private gpuRuntimeInstall: Promise<unknown> | undefined;

  constructor(options: ModelManagerOptions) {
    this.options = options;
    this.modelsDir = options.modelsDir;
    this.modelCatalog = options.catalog ?? loadCatalog();
    this.state = new ModelsStateFile(path.join(options.stateDir, 'models-state.json'));
    this.identify = options.identify ?? createIdentifier();
    this.dispatcher = options.dispatcher ?? proxyDispatcherFromEnv(options.proxy ?? {});
    this.userRoots = options.userRoots ?? [];
  }

  catalog(): ModelCatalog {
    return this.modelCatalog;
  }

  setUserRoots(roots: readonly string[]): void {
    this.userRoots = [...roots];
    this.lastScan = null;
  }

  /** Where a catalog entry lives in the studio's models folder. */
  destinationOf(entry: CatalogEntry): string {
    return path.join(this.modelsDir, entry.folder, entry.fileName);
  }

  /** Scans the studio folder and the user roots; calls made while a scan runs share it. */
  scan(signal?: AbortSignal): Promise<ScanResult> {
    this.scanning ??= this.runScan(signal).finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async runScan(signal?: AbortSignal): Promise<ScanResult> {
    await mkdir(this.modelsDir, { recursive: true });
    const result = await scanModelFolders({
      roots: [this.modelsDir, ...this.userRoots],
      wholeRoots: [this.modelsDir],
      identify: this.identify,
      cacheFile: path.join(this.options.stateDir, 'scan-cache.json'),
      identifierVersion: this.options.identifierVersion ?? IDENTIFIER_VERSION,
      ...(signal ? { signal } : {}),
    });
    this.lastScan = result;
    this.events.emit('event', { type: 'scan.finished', fileCount: result.files.length, identifiedCount: result.identifiedCount, durationMs: result.durationMs });
    return result;
  }

  /** The last scan's result (scanning first if there was none). */
  async currentScan(signal?: AbortSignal): Promise<ScanResult> {
    return this.lastScan ?? (await this.scan(signal));
  }

  /** Readiness from the last scan (scanning first if there was none). */
  async readiness(signal?: AbortSignal): Promise<ReadinessReport> {
    const scan = this.lastScan ?? (await this.scan(signal));
    const state = await this.state.read();
    return computeReadiness({
      files: scan.files,
      catalog: this.modelCatalog,
      commercialClean: state.commercialClean,
      nonCommercialAcknowledged: state.nonCommercialAcknowledgedAt !== null,
    });
  }

  async acknowledgeNonCommercial(): Promise<void> {
    await this.state.update((s) => {
      s.nonCommercialAcknowledgedAt ??= new Date().toISOString();
    });
  }

  async setCommercialClean(isOn: boolean): Promise<void> {
    await this.state.update((s) => {
      s.commercialClean = isOn;
    });
  }

  async settings(): Promise<{ commercialClean: boolean; nonCommercialAcknowledged: boolean }> {
    const state = await this.state.read();
    return { commercialClean: state.commercialClean, nonCommercialAcknowledged: state.nonCommercialAcknowledgedAt !== null };
  }

  /**
   * Downloads a catalog entry and every dependency it lacks into the studio's models folder.
   * Refuses research-only models until acknowledged, and always in commercial-clean mode.
   */
  async download(id: string, options: { signal?: AbortSignal } = {}): Promise<InstalledModel[]> {
    const entries = this.modelCatalog.withDependencies(id);
    await this.checkLicence(entries);
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.active.get(id)?.abort();
    this.active.set(id, controller);
    try {
      const installed: InstalledModel[] = [];
      for (const entry of entries) installed.push(await this.ensureEntry(entry, signal));
      this.lastScan = null;
      return installed;
    } finally {
      if (this.active.get(id) === controller) this.active.delete(id);
    }
  }

  /** Stops a download and keeps what has arrived; download(id) again resumes. */
  pause(id: string): void {
    this.active.get(id)?.abort();
  }

  /** Stops a download and deletes its partial files (those no other download still needs). */
  async cancel(id: string): Promise<void> {
    this.active.get(id)?.abort();
    if (id === GPU_RUNTIME_ID) {
      const state = this.gpuRuntime();
      await this.gpuRuntimeInstall?.catch(() => undefined); // let a stopping download close its file first
      if (state.state !== 'unsupported') await discardPartial(path.join(this.gpuRuntimeDownloadsDir(), path.basename(new URL(state.package.packageUrl).pathname)));
      this.events.emit('event', { type: 'download.state', id, state: 'cancelled' });
      return;
    }
    for (const entry of this.modelCatalog.withDependencies(id)) {
      const job = this.jobs.get(entry.id);
      if (job && job.waiters > 0) continue; // another download still needs it
      await job?.promise.catch(() => undefined); // an abandoned job is stopping: let it close its file first
      const destination = this.destinationOf(entry);
      if (existsSync(`${destination}.part`)) {
        await discardPartial(destination);
        this.events.emit('event', { type: 'download.state', id: entry.id, state: 'cancelled' });
      }
    }
  }

  /** Whether the NVIDIA GPU runtime (onnxruntime's CUDA provider) is installed, missing, or cannot be used here. */
  gpuRuntime(): GpuRuntimeState {
    return gpuRuntimeState(this.gpuRuntimeTarget());
  }

  /**
   * Downloads (resumable; progress and state as download events under GPU_RUNTIME_ID), verifies and unpacks the
   * NVIDIA GPU runtime beside onnxruntime, or installs it from a .nupkg on disk. Sessions opened before keep their
   * provider; the next engine start (or Settings change) picks CUDA up.
   */
  async installGpuRuntime(options: { signal?: AbortSignal; localPackage?: string; localPackageSha512?: string } = {}): Promise<InstalledGpuRuntime> {
    const emit = (state: DownloadState, failure?: Failure) =>
      this.events.emit('event', failure ? { type: 'download.state', id: GPU_RUNTIME_ID, state, failure } : { type: 'download.state', id: GPU_RUNTIME_ID, state });
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.active.get(GPU_RUNTIME_ID)?.abort();
    this.active.set(GPU_RUNTIME_ID, controller);
    emit('started');
    try {
      const installing = installGpuRuntime({
        ...this.gpuRuntimeTarget(),
        downloadsDir: this.gpuRuntimeDownloadsDir(),
        dispatcher: this.dispatcher,
        retry: this.options.retry ?? DEFAULT_RETRY,
        onProgress: (progress) => this.events.emit('event', { type: 'download.progress', id: GPU_RUNTIME_ID, progress }),
        ...options,
        signal,
      });
      this.gpuRuntimeInstall = installing;
      const installed = await installing;
      emit('finished');
      return installed;
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) emit('paused');
      else emit('failed', error instanceof StudioError ? error.toFailure() : { code: 'internal', userMessage: (error as Error).message });
      throw error;
    } finally {
      if (this.active.get(GPU_RUNTIME_ID) === controller) this.active.delete(GPU_RUNTIME_ID);
    }
  }

  private gpuRuntimeDownloadsDir(): string {
    return path.join(this.modelsDir, '.downloads');
  }

  private gpuRuntimeTarget() {
    const target = this.options.gpuRuntime ?? {};
    const platform = target.platform ?? process.platform;
    const arch = target.arch ?? process.arch;
    return {
      nativeFolder: target.nativeFolder ?? onnxruntimeNativeFolder(platform, arch),
      platform,
      arch,
      onnxruntimeVersion: onnxruntimeVersion(),
      ...(target.feed ? { feed: target.feed } : {}),
    };
  }

  private async checkLicence(entries: readonly CatalogEntry[]): Promise<void> {
    const researchOnly = entries.filter((e) => e.licence.nonCommercial);
    if (researchOnly.length === 0) return;
    const state = await this.state.read();
    const names = researchOnly.map((e) => e.title).join(', ');
    if (state.commercialClean) {
      throw new StudioError('model.hidden-by-commercial-clean', {
        userMessage: `Commercial-clean mode is on, and ${names} ${researchOnly.length === 1 ? 'is' : 'are'} licensed for non-commercial research only.`,
        hint: 'Turn commercial-clean mode off in Settings → Models if your use is non-commercial research.',
      });
    }
    if (state.nonCommercialAcknowledgedAt === null) {
      throw new StudioError('model.licence-not-acknowledged', {
        userMessage: `${names} ${researchOnly.length === 1 ? 'is' : 'are'} licensed for non-commercial research only; please confirm you have read that before downloading.`,
        hint: 'Confirm once on the Models page (or run `faceid models acknowledge-non-commercial`).',
      });
    }
  }

  private async ensureEntry(entry: CatalogEntry, signal: AbortSignal): Promise<InstalledModel> {
    const destination = this.destinationOf(entry);
    if (existsSync(destination)) return { id: entry.id, path: destination, sha256: null };
    return (await this.share(entry.id, signal, entry.title, (jobSignal) => this.fetchEntry(entry, destination, jobSignal))) as InstalledModel;
  }

  private async fetchEntry(entry: CatalogEntry, destination: string, signal: AbortSignal): Promise<InstalledModel> {
    const emit = (state: DownloadState, failure?: Failure) =>
      this.events.emit('event', failure ? { type: 'download.state', id: entry.id, state, failure } : { type: 'download.state', id: entry.id, state });
    emit('started');
    try {
      const recorded = (await this.state.read()).recordedHashes[entry.id];
      const expectedSha256 = entry.sha256 ?? recorded?.sha256 ?? null;
      const result = entry.source.archiveMember
        ? await this.fetchArchiveMember(entry, destination, expectedSha256, signal)
        : await downloadFile({
            url: entry.source.url,
            destination,
            expectedSha256,
            expectedSizeBytes: entry.sizeBytes,
            headers: entry.source.host === 'huggingface' ? await huggingFaceHeaders(this.options.secretStore) : {},
            signal,
            onProgress: (progress) => this.events.emit('event', { type: 'download.progress', id: entry.id, progress }),
            retry: this.options.retry ?? DEFAULT_RETRY,
            dispatcher: this.dispatcher,
            label: entry.title,
          });
      if (entry.sizeExact && entry.sha256 === null && result.sizeBytes !== entry.sizeBytes) {
        await rm(destination, { force: true });
        throw new StudioError('model.checksum-mismatch', {
          userMessage: `${entry.title} arrived with ${result.sizeBytes} bytes, but the published size is ${entry.sizeBytes}. The file was deleted.`,
          hint: 'Try again; if it happens again the source changed, so please report it.',
        });
      }
      if (entry.sha256 === null && !recorded) {
        // Nobody published a hash: remember the first download's, so a later re-download is checked against it.
        await this.state.update((s) => {
          s.recordedHashes[entry.id] = { sha256: result.sha256, sizeBytes: result.sizeBytes, recordedAt: new Date().toISOString() };
        });
      }
      emit('finished');
      return { id: entry.id, path: destination, sha256: result.sha256 };
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) emit('paused');
      else emit('failed', error instanceof StudioError ? error.toFailure() : { code: 'internal', userMessage: (error as Error).message });
      throw error;
    }
  }

  /** buffalo_l's ONNX files come in one zip: fetch it once (shared), extract the member, drop the zip when all are out. */
  private async fetchArchiveMember(entry: CatalogEntry, destination: string, expectedSha256: string | null, signal: AbortSignal) {
    const url = entry.source.url;
    const archive = path.join(this.modelsDir, '.downloads', path.basename(new URL(url).pathname));
    const siblings = this.modelCatalog.entries.filter((e) => e.source.url === url);
    if (!existsSync(archive)) {
      const headers = entry.source.host === 'huggingface' ? await huggingFaceHeaders(this.options.secretStore) : {};
      await this.share(`archive:${url}`, signal, path.basename(archive), (jobSignal) =>
        downloadFile({
          url,
          destination: archive,
          signal: jobSignal,
          onProgress: (progress) => this.events.emit('event', { type: 'download.progress', id: entry.id, progress }),
          retry: this.options.retry ?? DEFAULT_RETRY,
          dispatcher: this.dispatcher,
          label: path.basename(archive),
          headers,
        }),
      );
    }
    const result = await extractZipMember(archive, entry.source.archiveMember!, destination);
    if (expectedSha256 && result.sha256 !== expectedSha256) {
      await rm(destination, { force: true });
      throw new StudioError('model.checksum-mismatch', {
        userMessage: `${entry.title} from ${path.basename(archive)} has sha256 ${result.sha256}, but ${expectedSha256} was expected. The file was deleted.`,
        hint: 'Delete the archive in the models folder\'s .downloads folder and download again.',
      });
    }
    if (siblings.every((s) => s.id === entry.id || existsSync(this.destinationOf(s)))) await rm(archive, { force: true });
    return result;
  }

  /** Joins an in-flight job or starts one. The job stops only when every caller waiting on it has aborted. */
  private async share<T>(key: string, signal: AbortSignal, label: string, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let job = this.jobs.get(key);
    while (job?.controller.signal.aborted) {
      // Paused a moment ago and still closing its file: resume with a fresh job once it has stopped.
      await job.promise.catch(() => undefined);
      job = this.jobs.get(key);
    }
    if (!job) {
      const controller = new AbortController();
      const promise = start(controller.signal).finally(() => this.jobs.delete(key));
      promise.catch(() => undefined); // each waiter handles the failure; this keeps an abandoned job quiet
      job = { promise, controller, waiters: 0 };
      this.jobs.set(key, job);
    }
    const shared = job;
    shared.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        shared.waiters -= 1;
        if (shared.waiters === 0) shared.controller.abort();
        reject(new CancelledError(`The download of ${label}`));
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value as T);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }
}
