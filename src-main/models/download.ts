// One HTTP(S) download into place: range resume (after a dropped connection, and after a restart via the
// `.part` file and its `.part.json` sidecar), sha256 computed while streaming (a resume re-hashes the part
// already on disk), retry with backoff, a free-space check, and an atomic rename so a half file never
// sits under the final name. Abort = pause: the part stays for the next attempt; deleting it is the caller's.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetch, type Dispatcher } from 'undici';
import { CancelledError, StudioError } from '../base/errors.ts';
import { ProgressMeter, type DownloadProgress } from './download-progress.ts';

export interface RetryPolicy {
  /** Failed attempts in a row (without new bytes) before giving up. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface DownloadRequest {
  readonly url: string;
  /** Final path; the partial file is `<destination>.part`. */
  readonly destination: string;
  /** A published hash: a mismatch deletes the download. Null/undefined: computed and returned, not checked. */
  readonly expectedSha256?: string | null;
  /** From the catalog, for the space check and progress before the server says. */
  readonly expectedSizeBytes?: number;
  /** Extra request headers (a Hugging Face token). Never logged, never put into an error. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly retry?: RetryPolicy;
  /** Proxy-aware dispatcher (see proxy.ts); undici's global one when absent. */
  readonly dispatcher?: Dispatcher;
  /** Bytes kept free on the disk beyond the download itself. */
  readonly reserveBytes?: number;
  /** What to call the thing in messages (a catalog title); defaults to the file name. */
  readonly label?: string;
}

export interface DownloadResult {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** Sidecar next to the part file: enough to resume only if the server still has the same file. */
interface PartState {
  url: string;
  etag: string | null;
  lastModified: string | null;
  totalBytes: number | null;
}

export function partPaths(destination: string): { part: string; sidecar: string } {
  return { part: `${destination}.part`, sidecar: `${destination}.part.json` };
}

/** Removes a paused download's partial data (what "cancel" means, as opposed to "pause"). */
export async function discardPartial(destination: string): Promise<void> {
  const { part, sidecar } = partPaths(destination);
  await rm(part, { force: true });
  await rm(sidecar, { force: true });
}

export async function downloadFile(request: DownloadRequest): Promise<DownloadResult> {
  const label = request.label ?? path.basename(request.destination);
  const retry = request.retry ?? DEFAULT_RETRY;
  const { part, sidecar } = partPaths(request.destination);
  await mkdir(path.dirname(request.destination), { recursive: true });

  let state = await readPartState(sidecar, request.url);
  let offset = state ? await sizeOrZero(part) : 0;
  if (!state) await rm(part, { force: true });
  state ??= { url: request.url, etag: null, lastModified: null, totalBytes: null };
  let hash = await hashExisting(part, offset, request.signal, label);

  const meter = new ProgressMeter(request.onProgress);
  await ensureFreeSpace(request.destination, (state.totalBytes ?? request.expectedSizeBytes ?? 0) - offset, request.reserveBytes, label);

  let failuresInARow = 0;
  for (;;) {
    throwIfAborted(request.signal, label);
    const offsetBefore = offset;
    try {
      const response = await fetch(request.url, {
        headers: rangeHeaders(request.headers, offset, state),
        signal: request.signal,
        ...(request.dispatcher ? { dispatcher: request.dispatcher } : {}),
      });
      if (response.status === 416 && offset > 0) {
        await response.body?.cancel();
        if (state.totalBytes === offset) break; // everything was already here; only the rename was missing
        // The part is longer than the file on the server (it changed, or the part is damaged): start over.
        offset = 0;
        hash = createHash('sha256');
        meter.reset();
        throw new RetryableError('the partial download did not match the file on the server');
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw httpError(response.status, response.statusText, request.url, label);
      }
      if (response.status === 206) {
        const range = parseContentRange(response.headers.get('content-range'));
        if (!range || range.start !== offset) throw new RetryableError(`the server answered a different range (${response.headers.get('content-range')})`);
        state.totalBytes = range.total;
      } else {
        // 200: a fresh start (first request, or the server ignored the range / the file changed upstream).
        if (offset > 0) {
          offset = 0;
          hash = createHash('sha256');
          meter.reset();
        }
        const length = Number(response.headers.get('content-length'));
        state.totalBytes = Number.isFinite(length) && response.headers.has('content-length') ? length : null;
      }
      state.etag = response.headers.get('etag');
      state.lastModified = response.headers.get('last-modified');
      await writeFile(sidecar, JSON.stringify(state));
      if (offset === 0) await ensureFreeSpace(request.destination, state.totalBytes ?? request.expectedSizeBytes ?? 0, request.reserveBytes, label);

      const total = state.totalBytes ?? request.expectedSizeBytes ?? null;
      meter.update(offset, total, true);
      const file = await open(part, offset === 0 ? 'w' : 'a');
      try {
        if (!response.body) throw new RetryableError('the server sent no body');
        for await (const chunk of response.body) {
          await file.write(chunk);
          hash.update(chunk);
          offset += chunk.byteLength;
          meter.update(offset, total);
        }
        await file.sync();
      } finally {
        await file.close();
      }
      if (state.totalBytes !== null && offset !== state.totalBytes) {
        throw new RetryableError(`the connection ended after ${offset} of ${state.totalBytes} bytes`);
      }
      meter.update(offset, total, true);
      break;
    } catch (error) {
      if (request.signal?.aborted) throw new CancelledError(`The download of ${label}`);
      if (error instanceof StudioError) throw error;
      if (offset > offsetBefore) failuresInARow = 0; // progress was made: a dropped connection, not a dead server
      failuresInARow += 1;
      if (failuresInARow >= retry.attempts) throw giveUp(error, label, request.url);
      await sleep(backoffMs(retry, failuresInARow), request.signal, label);
    }
  }

  const sha256 = hash.digest('hex');
  if (request.expectedSha256 && sha256 !== request.expectedSha256.toLowerCase()) {
    await discardPartial(request.destination);
    throw new StudioError('model.checksum-mismatch', {
      userMessage: `The download of ${label} is corrupt: its sha256 is ${sha256}, but the published value is ${request.expectedSha256}. The file was deleted.`,
      hint: 'Try again; if it happens again the source changed or a proxy altered the file.',
    });
  }
  await rename(part, request.destination);
  await rm(sidecar, { force: true });
  return { path: request.destination, sizeBytes: offset, sha256 };
}

/** A failure worth another attempt: a dropped connection, a 5xx, a short body. */
class RetryableError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

function httpError(status: number, statusText: string, url: string, label: string): Error {
  const answer = `${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 404 || status === 410) {
    return new StudioError('model.source-not-found', {
      userMessage: `${label} is not at ${url} any more (the server answered ${answer}).`,
      hint: 'Update the studio for a newer catalog, or download the file yourself and add its folder under Models → Locate.',
    });
  }
  if (status === 401 || status === 403) {
    return new StudioError('model.source-unauthorized', {
      userMessage: `The server refused to send ${label} (${answer}).`,
      hint: 'The repository may be gated: accept its terms on huggingface.co and set a Hugging Face access token in Settings → Models.',
    });
  }
  if (status >= 500 || status === 429 || status === 408) return new RetryableError(`the server answered ${answer}`, status);
  return new StudioError('model.download-failed', { userMessage: `The download of ${label} failed: the server answered ${answer}.` });
}

function giveUp(error: unknown, label: string, url: string): StudioError {
  const reason = error instanceof RetryableError ? error.message : describeNetworkError(error);
  const serverSide = error instanceof RetryableError && error.status !== undefined;
  return new StudioError(serverSide ? 'model.source-unavailable' : 'model.download-failed', {
    userMessage: `The download of ${label} from ${new URL(url).host} failed: ${reason}.`,
    hint: serverSide
      ? 'The server is having trouble; try again later. What was downloaded so far is kept and the next try resumes.'
      : 'Check the network connection (and HTTPS_PROXY if you use a proxy), then try again; the download resumes where it stopped.',
    cause: error,
  });
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function rangeHeaders(extra: Readonly<Record<string, string>> | undefined, offset: number, state: PartState): Record<string, string> {
  const headers: Record<string, string> = { ...extra, 'accept-encoding': 'identity' };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = state.etag && !state.etag.startsWith('W/') ? state.etag : state.lastModified;
    if (validator) headers['if-range'] = validator;
  }
  return headers;
}

function parseContentRange(value: string | null): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value ?? '');
  if (!match) return null;
  return { start: Number(match[1]), total: match[3] === '*' ? null : Number(match[3]) };
}

async function readPartState(sidecar: string, url: string): Promise<PartState | null> {
  try {
    const state = JSON.parse(await readFile(sidecar, 'utf8')) as PartState;
    return state.url === url ? state : null;
  } catch {
    return null; // no sidecar, or a torn one: start over rather than trust it
  }
}

async function sizeOrZero(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Hashes the bytes already on disk so the final sha256 covers the whole file. */
async function hashExisting(part: string, length: number, signal: AbortSignal | undefined, label: string): Promise<Hash> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  try {
    for await (const chunk of createReadStream(part, { end: length - 1, signal })) hash.update(chunk as Buffer);
  } catch (error) {
    if (signal?.aborted) throw new CancelledError(`The download of ${label}`);
    throw error;
  }
  return hash;
}

export async function freeBytes(folder: string): Promise<number> {
  const info = await statfs(folder);
  return info.bavail * info.bsize;
}

async function ensureFreeSpace(destination: string, neededBytes: number, reserveBytes = 64 * 1024 * 1024, label: string): Promise<void> {
  if (neededBytes <= 0) return;
  const available = await freeBytes(path.dirname(destination));
  if (available < neededBytes + reserveBytes) {
    throw new StudioError('model.no-space', {
      userMessage: `Not enough free space for ${label}: it needs ${formatBytes(neededBytes)} more, but ${path.dirname(destination)} has ${formatBytes(available)} free.`,
      hint: 'Free some space, or choose a models folder on another disk in Settings → Models.',
    });
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function backoffMs(policy: RetryPolicy, failures: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return exponential / 2 + Math.random() * (exponential / 2); // jitter so many clients do not retry in step
}

function throwIfAborted(signal: AbortSignal | undefined, label: string): void {
  if (signal?.aborted) throw new CancelledError(`The download of ${label}`);
}

function sleep(ms: number, signal: AbortSignal | undefined, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError(`The download of ${label}`));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
