// Where the studio keeps its files when the CLI runs without the app: the same folder app/compose.ts's
// libraryFolderFromEnvironment() picks (FACEID_STUDIO_HOME, else the folder Electron uses for userData), so
// `faceid doctor` and the window see one models folder. studio-paths.test.ts keeps the two rules equal.
import os from 'node:os';
import path from 'node:path';

const PRODUCT_NAME = 'FaceID Studio';

export function defaultStudioDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  // FACEID_STUDIO_DIR: the name the first CLI commands used; kept as an alias.
  const fromEnvironment = env.FACEID_STUDIO_HOME || env.FACEID_STUDIO_DIR;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return path.resolve(fromEnvironment);
  switch (platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return path.join(os.homedir(), 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), PRODUCT_NAME);
  }
}

export interface ModelFolders {
  /** Downloads land here (ComfyUI folder names); the app's models handler lists `<library>/models` too. */
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

/** The compiled-graph cache shared by `faceid compile`, `faceid generate` and the app: $FACEID_COMPILED_DIR, else <studio folder>/compiled. */
export function compiledCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['FACEID_COMPILED_DIR'];
  return override ? path.resolve(override) : path.join(defaultStudioDir(env), 'compiled');
}
