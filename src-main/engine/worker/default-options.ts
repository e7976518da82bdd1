// Where the engine keeps compiled graphs and finds the CLIP tokenizer when its host names no other place: the
// compiled-graph cache `faceid compile` uses too, and the models folder's CLIP tokenizer.
import path from 'node:path';
import { compiledCacheDir, defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import type { EngineOptions } from './protocol.ts';

export function defaultEngineOptions(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  return {
    cacheDir: compiledCacheDir(env),
    tokenizerDir: path.join(modelFolders({ studioDir: defaultStudioDir(env) }).modelsDir, 'tokenizer', 'clip-vit-large-patch14'),
  };
}
