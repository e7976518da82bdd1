// Typed failures: one class for every expected failure, with a message a user can act on.
import type { ErrorCode, Failure } from '../../src-preload/contract/errors.ts';

export interface StudioErrorDetails {
  /** Names the thing and what was wrong with it, in plain words. */
  userMessage: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

/** An expected failure: bad input, a missing file, a refused model. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, details: StudioErrorDetails) {
    super(details.userMessage, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StudioError';
    this.code = code;
    this.userMessage = details.userMessage;
    this.hint = details.hint;
  }

  toFailure(): Failure {
    return this.hint === undefined
      ? { code: this.code, userMessage: this.userMessage }
      : { code: this.code, userMessage: this.userMessage, hint: this.hint };
  }
}

/** A broken invariant of our own code: shown as "Internal error — please report". */
export class BugError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BugError';
  }
}

/** The user (or a shutdown) cancelled the work: recorded as cancelled, not failed. */
export class CancelledError extends StudioError {
  constructor(what = 'The job') {
    super('cancelled', { userMessage: `${what} was cancelled.` });
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError if the signal has fired; call between units of work. */
export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/** Converts anything thrown into the wire failure; unknown errors become `internal` with a log id. */
export function toFailure(error: unknown, logId: () => string): Failure {
  if (error instanceof StudioError) return error.toFailure();
  return {
    code: 'internal',
    userMessage: 'Internal error — please report it with the log id.',
    logId: logId(),
  };
}
