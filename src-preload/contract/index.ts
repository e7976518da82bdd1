// The studio API: every method main offers the renderer (name → request and response schemas) and every event.
// Types, the preload's `window.studio`, the host's routes, the IPC handlers and the renderer's client all derive from
// `studioApi` and `studioEvents`; nothing here is written twice.
import type { z } from 'zod';
import { charactersMethods, referencesMethods } from './characters.ts';
import type { Failure } from './errors.ts';
import type { StudioEventName, StudioEventPayload } from './events.ts';
import { generationsMethods } from './generations.ts';
import { jobsMethods } from './jobs.ts';
import { allModelsMethods } from './models.ts';
import { appMethods, settingsMethods } from './settings.ts';
// Studio UI (issue 9)
import { galleryMethods } from './gallery.ts';
import { controlMethods } from './control.ts';
import { masksMethods } from './masks.ts';
import { presetsMethods } from './presets.ts';
import { promptsMethods } from './prompts.ts';
import { queueMethods } from './queue.ts';

/** Method `namespace.name` → { request, response }. A call's wire answer is `resultSchema(response)`. */
export const studioApi = {
  app: appMethods,
  characters: charactersMethods,
  references: referencesMethods,
  generations: generationsMethods,
  jobs: jobsMethods,
  models: allModelsMethods,
  settings: settingsMethods,
  // Studio UI (issue 9)
  gallery: galleryMethods,
  masks: masksMethods,
  control: controlMethods,
  presets: presetsMethods,
  prompts: promptsMethods,
  queue: queueMethods,
} as const;

export interface MethodDefinition {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

type Api = typeof studioApi;
export type StudioNamespace = keyof Api;
/** Every method's full name, e.g. `characters.create`. */
export type MethodName = { [N in StudioNamespace]: `${N}.${keyof Api[N] & string}` }[StudioNamespace];
type DefinitionOf<M extends MethodName> = M extends `${infer N extends StudioNamespace}.${infer K}`
  ? K extends keyof Api[N]
    ? Api[N][K] extends MethodDefinition
      ? Api[N][K]
      : never
    : never
  : never;

/** What a caller passes (defaults may be left out). */
export type RequestInput<M extends MethodName> = z.input<DefinitionOf<M>['request']>;
/** What a handler receives after parsing (defaults filled in). */
export type Request<M extends MethodName> = z.output<DefinitionOf<M>['request']>;
export type Response<M extends MethodName> = z.output<DefinitionOf<M>['response']>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** `window.studio`: one function per method, grouped by namespace, plus event subscription. */
export type StudioApi = {
  [N in StudioNamespace]: {
    [K in keyof Api[N]]: Api[N][K] extends MethodDefinition
      ? (request: z.input<Api[N][K]['request']>) => Promise<Result<z.output<Api[N][K]['response']>>>
      : never;
  };
} & {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends StudioEventName>(event: E, listener: (payload: StudioEventPayload<E>) => void): () => void;
};

/** Every method name, in contract order. */
export const METHOD_NAMES = Object.entries(studioApi).flatMap(([namespace, methods]) =>
  Object.keys(methods).map((name) => `${namespace}.${name}`),
) as MethodName[];

/** The definition of a method by full name, or undefined for a name the contract does not have. */
export function methodDefinition(name: string): MethodDefinition | undefined {
  const [namespace, method, ...rest] = name.split('.');
  if (namespace === undefined || method === undefined || rest.length > 0 || !Object.hasOwn(studioApi, namespace)) return undefined;
  const methods = studioApi[namespace as StudioNamespace] as Record<string, MethodDefinition>;
  return Object.hasOwn(methods, method) ? methods[method] : undefined;
}

/** Electron IPC channel of a method (one channel per method; there is no generic channel). */
export function ipcChannel(method: MethodName): string {
  return `studio:${method}`;
}
/** Electron IPC channel that carries events from main to the renderer. */
export const IPC_EVENT_CHANNEL = 'studio:event';

export { resultSchema } from './errors.ts';
export type { Failure, ErrorCode } from './errors.ts';
export { studioEvents, STUDIO_EVENT_NAMES } from './events.ts';
export type { StudioEventEnvelope, StudioEventName, StudioEventPayload } from './events.ts';
