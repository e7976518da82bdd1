// Builds every main-process service once, from what its host read of the environment (environment.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../../src-preload/contract/settings.ts';
import type { Model } from '../../src-preload/contract/models.ts';
import type { ProxyEnvironment } from '../models/proxy.ts';
import { defaultStudioDir, type StudioPathsEnvironment } from '../models/studio-paths.ts';
import { fileHashCacheIn } from '../engine/io/hash.ts';
import { Library } from '../library/library.ts';
import { createDispatch, type Dispatch } from './dispatch.ts';
import { StudioEventBus } from './events.ts';
import { FaceService } from './face-service.ts';
import { JobRunner, type GenerationEngine } from './job-runner.ts';
import { annotatorsIn, previewDecoderFor } from './preview-decoder.ts';
import { faceModelFolders, findImageEncoder, findTokenizerFolder } from './model-places.ts';
import { createHandlers } from './handlers/index.ts';
import type { JobEngine, StudioHandlers } from './handlers/handler-types.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Studio {
  readonly library: Library;
  readonly events: StudioEventBus;
  readonly handlers: StudioHandlers;
  readonly dispatch: Dispatch;
  /** The face engine's part of the studio (reference analysis, identity); absent without `generation`. */
  readonly faces: FaceService | undefined;
  /** Closes the library at once (a running job is cut off and marked interrupted at the next start). */
  close(): void;
  /** Lets the running job end (cancelled), stops the engine and closes the library. */
  stop(): Promise<void>;
}

/** What the studio generates with: an engine started with the user's settings, the face models and the graph cache. */
export interface GenerationSetup {
  /**
   * `tokenizerDir`: the CLIP tokenizer found among the model roots, for single-file checkpoints; `faceModelsFolder`:
   * where the face detail pass's detector is (the folder holding the face models, else the first place expected).
   */
  startEngine(settings: Settings, places: { tokenizerDir: string | undefined; faceModelsFolder: string | undefined }): GenerationEngine & { close(): Promise<void> };
  /** FACEID_FACE_MODELS: the only face-models folder when set; without it the model roots are searched. */
  faceModels?: string | undefined;
  cacheDir: string;
}

/** `proxy`: what model downloads go through (app/environment.ts); without it they go direct. */
export function composeStudio(options: { libraryFolder: string; engine?: JobEngine; generation?: GenerationSetup; proxy?: ProxyEnvironment }): Studio {
  const library = new Library(options.libraryFolder);
  const events = new StudioEventBus();
  const setup = options.generation;
  const faces = setup === undefined ? undefined : new FaceService({ library, faceModelsFolder: faceModelFolders(library, setup.faceModels), cacheDir: setup.cacheDir, imageEncoder: () => findImageEncoder(library) });
  const generationEngine = setup?.startEngine(library.settings.get(), { tokenizerDir: findTokenizerFolder(library), faceModelsFolder: faces?.folder || undefined });
  // The runner asks the models handler (created next, with the scan's cache) for LoRA files only when a job runs.
  const filesOfKind = (kind: Model['kind']) => async () => (await handlers.models.list({})).models.filter((m) => m.kind === kind).map((m) => m.path);
  const previewDecoder = async (checkpoint: string) => previewDecoderFor(checkpoint, (await handlers.models.list({})).models);
  const annotators = async () => annotatorsIn((await handlers.models.list({})).models);
  const runner = generationEngine === undefined || faces === undefined ? undefined : new JobRunner({ library, events, engine: generationEngine, faces, loraFiles: filesOfKind('lora'), embeddingFiles: filesOfKind('embedding'), previewDecoderFor: previewDecoder, annotators });
  const fileHashes = setup === undefined ? undefined : fileHashCacheIn(setup.cacheDir);
  const handlers: StudioHandlers = createHandlers({ library, events, version: studioVersion(), engine: runner ?? options.engine, faces, proxy: options.proxy, fileHashes, annotators });
  // Jobs queued in an earlier session run now.
  runner?.wake();
  return {
    library,
    events,
    handlers,
    faces,
    dispatch: createDispatch(handlers),
    close: () => library.close(),
    stop: async () => {
      // Together: the runner waits for the engine's last word on its job, which a closing engine always gives.
      await Promise.all([runner?.close(), generationEngine?.close()]);
      await faces?.close();
      library.close();
    },
  };
}

/**
 * The library folder: FACEID_STUDIO_HOME when set, else Electron's userData (passed in by the Electron main),
 * else the folder Electron would use for userData (the CLI's studio folder), so the host and the window share one library.
 */
export function libraryFolderFromEnvironment(env: StudioPathsEnvironment, electronUserData?: string): string {
  if (env.studioHome !== undefined) return path.resolve(env.studioHome);
  // FACEID_STUDIO_DIR is the CLI's old name for FACEID_STUDIO_HOME; it never moved the app's library.
  return electronUserData ?? defaultStudioDir({ ...env, legacyStudioDir: undefined });
}

export function studioVersion(): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where `npm run build` puts the renderer. */
export const rendererFolder = path.join(repoRoot, 'dist', 'renderer');
