// Where the engine keeps compiled graphs and finds the CLIP tokenizer when its host names no other place: the same
// compiled-model cache as `faceid compile` ($FACEID_COMPILED_DIR, else <studio folder>/compiled) and the models
// folder's CLIP tokenizer.
import path from 'node:path';
import { defaultStudioDir, modelFolders } from '../../models/studio-paths.ts';
import type { EngineOptions } from './protocol.ts';

export function defaultEngineOptions(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const override = env['FACEID_COMPILED_DIR'];
  const studioDir = defaultStudioDir(env);
  return {
    cacheDir: override ? path.resolve(override) : path.join(studioDir, 'compiled'),
    tokenizerDir: path.join(modelFolders({ studioDir }).modelsDir, 'tokenizer', 'clip-vit-large-patch14'),
  };
}
