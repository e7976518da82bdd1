// Where the studio keeps its own files when no shell (Electron) says otherwise: FACEID_STUDIO_DIR, else
// ~/.faceid-studio. The models folder and the model manager's state live inside it.
import os from 'node:os';
import path from 'node:path';

export function defaultStudioDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.FACEID_STUDIO_DIR ?? path.join(os.homedir(), '.faceid-studio'));
}

export interface ModelFolders {
  /** Downloads land here (ComfyUI folder names). */
  readonly modelsDir: string;
  /** models-state.json, scan-cache.json. */
  readonly stateDir: string;
}

/** The studio's folders; an explicit models folder (CLI --models) keeps its state beside it in `.faceid/`. */
export function modelFolders(options: { studioDir?: string; modelsDir?: string } = {}): ModelFolders {
  if (options.modelsDir) {
    const modelsDir = path.resolve(options.modelsDir);
    return { modelsDir, stateDir: path.join(modelsDir, '.faceid') };
  }
  const studioDir = options.studioDir ?? defaultStudioDir();
  return { modelsDir: path.join(studioDir, 'models'), stateDir: studioDir };
}
