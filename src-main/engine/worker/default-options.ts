// Where the engine keeps compiled graphs and finds the CLIP tokenizer when its host names no other place: the same
// compiled-model cache as `faceid compile` ($FACEID_CACHE, else $XDG_CACHE_HOME or ~/.cache /faceid-studio/compiled)
// and the models folder's CLIP tokenizer.
import os from 'node:os';
import path from 'node:path';
import { modelFolders } from '../../models/studio-paths.ts';
import type { EngineOptions } from './protocol.ts';

export function defaultEngineOptions(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const cacheDir = env['FACEID_CACHE'] ?? path.join(env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'faceid-studio', 'compiled');
  return {
    cacheDir: path.resolve(cacheDir),
    tokenizerDir: path.join(modelFolders().modelsDir, 'tokenizer', 'clip-vit-large-patch14'),
  };
}
