// The engine in its supervised utility process, as the job runner's GenerationEngine: requests go through the
// supervisor, the process's messages come back through `receive`, and a crash fails the jobs it had (naming the crash)
// so the runner records them and goes on with the next job once the supervisor has restarted the process.
import { randomUUID } from 'node:crypto';
import type { GenerationParams } from '../../src-preload/contract/generation.ts';
import type { EngineEvent, GenerationEngine } from '../app/job-runner.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import { FINAL_STATES, type EngineRequest, type EngineSettings } from '../engine/worker/protocol.ts';

const RELAYED = new Set(['progress', 'stage', 'preview', 'state']);

export class SupervisedEngine implements GenerationEngine {
  readonly #send: (request: EngineRequest) => boolean;
  readonly #open = new Set<string>();
  readonly #listeners = new Set<(event: EngineEvent) => void>();

  /** `send` is the supervisor's: false when no engine process is up. */
  constructor(send: (request: EngineRequest) => boolean) {
    this.#send = send;
  }

  submit(params: GenerationParams, extras: { ip?: IpConditioning }): string {
    const jobId = randomUUID();
    this.#open.add(jobId);
    if (!this.#send({ type: 'submit', jobId, params, ...(extras.ip ? { ip: extras.ip } : {}) })) {
      // Answered after the caller has the id, as a real engine would.
      queueMicrotask(() => this.#fail(jobId, 'The engine is not running.'));
    }
    return jobId;
  }

  cancel(jobId: string): void {
    if (this.#open.has(jobId)) this.#send({ type: 'cancel', jobId });
  }

  /** Dropped when no engine process is up: a restarted one is spawned with the settings of that moment. */
  configure(settings: EngineSettings): void {
    this.#send({ type: 'configure', settings });
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every message the engine process sends (the supervisor's onMessage). */
  receive(message: unknown): void {
    const event = message as EngineEvent | undefined;
    if (event === undefined || typeof event !== 'object' || !RELAYED.has(event.type)) return;
    if (event.type === 'state' && FINAL_STATES.has(event.state)) this.#open.delete(event.jobId);
    for (const listener of this.#listeners) listener(event);
  }

  /** The engine process crashed: its jobs fail with `reason`. */
  crashed(reason: string): void {
    for (const jobId of [...this.#open]) this.#fail(jobId, reason);
  }

  #fail(jobId: string, userMessage: string): void {
    this.receive({
      type: 'state', jobId, state: 'failed',
      error: { code: 'generate.engine-stopped', userMessage, hint: 'The engine restarts by itself; run the job again. If it stops again, lower the image size or steps, and report it with the log.' },
    });
  }
}
