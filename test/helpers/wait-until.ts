// The one way node tests wait for something to happen: poll a predicate until it holds. The deadline is a hang
// guard, not a speed assertion: it is generous so that a loaded machine only makes a test slower, never red, and a
// test that would otherwise hang forever ends with what it was waiting for and what it last saw.

export interface WaitOptions {
  /** What is awaited, for the error: "job 3 to end", "the engine's second ready message". */
  readonly what: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Pause between checks; default 20 ms. */
  readonly intervalMs?: number;
  /** Context for the error, read at the deadline (events seen so far, say), when the predicate's result is a bare false. */
  readonly observe?: () => unknown;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Resolves with the predicate's first truthy result (so it can hand back what it found). On the deadline it throws
 * an Error naming `what`, the last falsy result or error the predicate gave, and `observe()` if given.
 */
export async function waitUntil<T>(predicate: () => T | Promise<T>, options: WaitOptions): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = performance.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (performance.now() >= deadline) {
      const context = options.observe ? `; observed: ${JSON.stringify(options.observe())}` : '';
      throw new Error(`waited ${timeoutMs / 1000} s for ${options.what}${describe(last)}${context}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (last === undefined) return '';
  if ('error' in last) return `; the last check threw: ${last.error instanceof Error ? last.error.message : String(last.error)}`;
  // `false` says nothing beyond "not yet"; anything else (a state, a count, null) is what was last seen.
  if (last.value === false || last.value === undefined) return '';
  return `; last seen: ${JSON.stringify(last.value)}`;
}
