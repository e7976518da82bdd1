// The renderer's one way to main: the contract's methods (answers parsed against the contract), events, media URLs.
// Built from studioApi, so a method added to the contract appears here with its types and nothing else to write.
import {
  resultSchema,
  studioApi,
  studioEvents,
  type Failure,
  type MethodDefinition,
  type StudioApi,
} from '../../src-preload/contract/index.ts';
import { hostTransport } from './host-transport.ts';
import { ipcTransport } from './ipc-transport.ts';
import type { StudioTransport } from './transport.ts';

export type StudioClient = StudioApi & {
  readonly transport: StudioTransport['kind'];
  mediaUrl(mediaPath: string): string;
};

/** A failed call as an exception, for code that prefers try/catch (see `unwrap`). */
export class StudioCallError extends Error {
  readonly failure: Failure;

  constructor(failure: Failure) {
    super(failure.userMessage);
    this.name = 'StudioCallError';
    this.failure = failure;
  }
}

/** The value of a successful call; throws StudioCallError with the user-readable failure otherwise. */
export async function unwrap<T>(call: Promise<{ ok: true; value: T } | { ok: false; error: Failure }>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new StudioCallError(result.error);
  return result.value;
}

export function createStudioClient(transport: StudioTransport): StudioClient {
  const client: Record<string, unknown> = {
    transport: transport.kind,
    mediaUrl: transport.mediaUrl,
    on: (event: keyof typeof studioEvents, listener: (payload: unknown) => void) =>
      transport.subscribe(event, (payload) => {
        const parsed = studioEvents[event].safeParse(payload);
        if (parsed.success) listener(parsed.data);
        else console.error(`Dropped a malformed ${event} event`, parsed.error);
      }),
  };
  for (const [namespace, methods] of Object.entries(studioApi)) {
    const group: Record<string, (request: unknown) => Promise<unknown>> = {};
    for (const [name, definition] of Object.entries(methods as Record<string, MethodDefinition>)) {
      const answer = resultSchema(definition.response);
      group[name] = async (request) => {
        try {
          const parsed = answer.safeParse(await transport.call(`${namespace}.${name}`, request));
          if (parsed.success) return parsed.data;
          return { ok: false, error: { code: 'internal', userMessage: `The studio's answer to ${namespace}.${name} did not match the contract.` } };
        } catch (error) {
          return { ok: false, error: { code: 'internal', userMessage: `The studio could not be reached: ${(error as Error).message}` } };
        }
      };
    }
    client[namespace] = group;
  }
  return client as StudioClient;
}

/** window.studio inside Electron, else the studio host this page was served by. */
export function connectStudio(): StudioClient {
  return createStudioClient(window.studio === undefined ? hostTransport() : ipcTransport(window.studio));
}
