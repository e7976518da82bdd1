// Turns a stream of byte counts into progress events: bytes, rate over the last few seconds, and ETA.
// Emits at most every `intervalMs` so a fast local download does not flood the UI.

export interface DownloadProgress {
  readonly receivedBytes: number;
  /** Null while the size is unknown (no Content-Length and no catalog size). */
  readonly totalBytes: number | null;
  readonly bytesPerSecond: number;
  /** Null while the rate or the size is unknown. */
  readonly etaSeconds: number | null;
}

export class ProgressMeter {
  private readonly samples: Array<{ atMs: number; bytes: number }> = [];
  private lastEmitMs = -Infinity;
  private readonly windowMs: number;
  private readonly intervalMs: number;
  private readonly onProgress: ((progress: DownloadProgress) => void) | undefined;
  private readonly now: () => number;

  constructor(onProgress: ((progress: DownloadProgress) => void) | undefined, options: { windowMs?: number; intervalMs?: number; now?: () => number } = {}) {
    this.onProgress = onProgress;
    this.windowMs = options.windowMs ?? 5000;
    this.intervalMs = options.intervalMs ?? 200;
    this.now = options.now ?? (() => performance.now());
  }

  /** Records the running total; `force` emits even inside the interval (first and last event). */
  update(receivedBytes: number, totalBytes: number | null, force = false): void {
    const atMs = this.now();
    this.samples.push({ atMs, bytes: receivedBytes });
    while (this.samples.length > 2 && atMs - this.samples[0]!.atMs > this.windowMs) this.samples.shift();
    if (!this.onProgress || (!force && atMs - this.lastEmitMs < this.intervalMs)) return;
    this.lastEmitMs = atMs;
    this.onProgress(this.snapshot(receivedBytes, totalBytes));
  }

  /** A restart of the byte count (server ignored the range): forget the old rate. */
  reset(): void {
    this.samples.length = 0;
  }

  private snapshot(receivedBytes: number, totalBytes: number | null): DownloadProgress {
    const first = this.samples[0]!;
    const elapsedSeconds = (this.samples.at(-1)!.atMs - first.atMs) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? (receivedBytes - first.bytes) / elapsedSeconds : 0;
    const etaSeconds = totalBytes !== null && bytesPerSecond > 0 ? Math.max(0, (totalBytes - receivedBytes) / bytesPerSecond) : null;
    return { receivedBytes, totalBytes, bytesPerSecond, etaSeconds };
  }
}
