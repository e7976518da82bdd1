// Where the engine keeps compiled graphs and finds the CLIP tokenizer when its host names no other place: the
// compiled-graph cache `faceid compile` uses too, and the models folder's CLIP tokenizer. The composition roots
// (host, Electron main, `faceid generate`) pass these in: the engine itself knows no studio folder.
import path from 'node:path';
import type { EngineOptions } from '../engine/worker/protocol.ts';
import { compiledCacheDir, defaultStudioDir, modelFolders, type StudioPathsEnvironment } from '../models/studio-paths.ts';

export function defaultEngineOptions(env: StudioPathsEnvironment): EngineOptions {
  return {
    cacheDir: compiledCacheDir(env),
    tokenizerDir: path.join(modelFolders({ studioDir: defaultStudioDir(env) }).modelsDir, 'tokenizer', 'clip-vit-large-patch14'),
  };
}
