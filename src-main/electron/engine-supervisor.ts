// Keeps the engine worker alive off the main thread: starts it, restarts it with growing delays when it
// crashes, and reports every change, so a crashed engine costs the running job, never the window.
import type { EngineProcess } from './engine-process.ts';

export type EngineStatus =
  | { state: 'running'; pid: number | undefined }
  | { state: 'crashed'; exitCode: number | null; crashCount: number; restartInMs: number }
  | { state: 'gave-up'; exitCode: number | null; crashCount: number }
  | { state: 'stopped' };

export interface EngineSupervisorOptions {
  spawn: () => EngineProcess;
  onMessage: (message: unknown) => void;
  /** Every state change; main.ts turns crashes into a job failure and a notice in the window. */
  onStatus: (status: EngineStatus) => void;
  /** Delay before restart number `crashCount` (1-based). Default 0.5 s, doubling, at most 30 s. */
  restartDelayMs?: (crashCount: number) => number;
  /** After this many crashes within `crashWindowMs` the supervisor stops restarting until `restart()`. */
  maxCrashes?: number;
  crashWindowMs?: number;
}

const defaultRestartDelayMs = (crashCount: number): number => Math.min(30_000, 500 * 2 ** (crashCount - 1));

export class EngineSupervisor {
  readonly #options: Required<EngineSupervisorOptions>;
  #process: EngineProcess | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #crashTimes: number[] = [];
  #stopping = false;
  #restartAfterExit = false;

  constructor(options: EngineSupervisorOptions) {
    this.#options = { restartDelayMs: defaultRestartDelayMs, maxCrashes: 5, crashWindowMs: 120_000, ...options };
  }

  /** True while a worker process is up. */
  get isRunning(): boolean {
    return this.#process !== undefined;
  }

  start(): void {
    if (this.#process !== undefined) return;
    this.#stopping = false;
    const child = this.#options.spawn();
    this.#process = child;
    child.onMessage((message) => {
      if (this.#process === child) this.#options.onMessage(message);
    });
    child.onExit((exitCode) => this.#onExit(child, exitCode));
    this.#options.onStatus({ state: 'running', pid: child.pid });
  }

  /** Sends a message to the worker; false when none is running (the caller fails the job with a clear error). */
  send(message: unknown): boolean {
    if (this.#process === undefined) return false;
    this.#process.postMessage(message);
    return true;
  }

  /** Starts again after the supervisor gave up (a user's "Restart engine"), forgetting earlier crashes. */
  restart(): void {
    this.#crashTimes = [];
    this.#clearTimer();
    if (this.#process !== undefined) {
      this.#restartAfterExit = true;
      this.#process.kill();
      return;
    }
    this.start();
  }

  /** Stops the worker for good (quit); resolves when it has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#clearTimer();
    const child = this.#process;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    child.kill();
    await exited;
  }

  #onExit(child: EngineProcess, exitCode: number | null): void {
    if (this.#process !== child) return;
    this.#process = undefined;
    if (this.#stopping) {
      this.#options.onStatus({ state: 'stopped' });
      return;
    }
    if (this.#restartAfterExit) {
      this.#restartAfterExit = false;
      this.start();
      return;
    }
    const now = Date.now();
    this.#crashTimes = [...this.#crashTimes.filter((time) => now - time < this.#options.crashWindowMs), now];
    const crashCount = this.#crashTimes.length;
    if (crashCount > this.#options.maxCrashes) {
      this.#options.onStatus({ state: 'gave-up', exitCode, crashCount });
      return;
    }
    const restartInMs = this.#options.restartDelayMs(crashCount);
    this.#options.onStatus({ state: 'crashed', exitCode, crashCount, restartInMs });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.start();
    }, restartInMs);
  }

  #clearTimer(): void {
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }
}
