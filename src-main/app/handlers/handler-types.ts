// What a handler is: a transport-free function from a parsed request (defaults filled) to the response value.
import type { Settings } from '../../../src-preload/contract/settings.ts';
import type { z } from 'zod';
import type { MethodDefinition, studioApi } from '../../../src-preload/contract/index.ts';
import type { Library } from '../../library/library.ts';
import type { StudioEventBus } from '../events.ts';
import type { FaceService } from '../face-service.ts';
import type { ModelManager } from '../../models/model-manager.ts';
import type { ProxyEnvironment } from '../../models/proxy.ts';
import type { FileHashCache } from '../../engine/io/hash.ts';
import type { AnnotatorFiles } from '../../engine/control/control-image.ts';

type Api = typeof studioApi;

/** Handlers for one namespace of the contract, e.g. `NamespaceHandlers<'characters'>`. */
export type NamespaceHandlers<N extends keyof Api> = {
  [K in keyof Api[N]]: Api[N][K] extends MethodDefinition
    ? (request: z.output<Api[N][K]['request']>) => Promise<z.input<Api[N][K]['response']>> | z.input<Api[N][K]['response']>
    : never;
};

/** One handler per contract method; the compiler checks none is missing. */
export type StudioHandlers = { [N in keyof Api]: NamespaceHandlers<N> };

/** Running jobs belong to the engine; it is wired in by the runtime when present. */
export interface JobEngine {
  /** Asks the engine to stop a running job; the engine records it as cancelled within one step. */
  cancel(jobId: string): void;
  /** A job was queued (or the queue changed): start the next one if nothing is running. */
  wake(): void;
  /** The Settings page changed: the engine takes the new settings before its next job. */
  applySettings?(settings: Settings): void;
}

export interface StudioServices {
  library: Library;
  events: StudioEventBus;
  version: string;
  engine?: JobEngine | undefined;
  /** Reference analysis and identity; absent when the studio runs without generation (tests of the library). */
  faces?: FaceService | undefined;
  /** The model manager (catalog, scan, readiness, downloads); made over the library folder when not given. */
  models?: ModelManager | undefined;
  /** What that model manager's downloads go through (app/environment.ts); without it they go direct. */
  proxy?: ProxyEnvironment | undefined;
  /** The sha256 cache the engine fills while generating (the infotext's Model hash); absent without an engine. */
  fileHashes?: FileHashCache | undefined;
  /** The preprocessors' models (DWPose) found in the model folders; without it, OpenPose maps say what is missing. */
  annotators?: (() => Promise<AnnotatorFiles>) | undefined;
}
