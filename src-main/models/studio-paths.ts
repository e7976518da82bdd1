// Where the studio keeps its files when the CLI runs without the app: the same folder app/compose.ts's
// libraryFolderFromEnvironment() picks (FACEID_STUDIO_HOME, else the folder Electron uses for userData), so
// `faceid doctor` and the window see one models folder. studio-paths.test.ts keeps the two rules equal.
import os from 'node:os';
import path from 'node:path';

const PRODUCT_NAME = 'FaceID Studio';

/** The environment variables these folders depend on (read by app/environment.ts; unset or empty: undefined). */
export interface StudioPathsEnvironment {
  /** FACEID_STUDIO_HOME */
  readonly studioHome: string | undefined;
  /** FACEID_STUDIO_DIR: the name the first CLI commands used; kept as an alias. */
  readonly legacyStudioDir: string | undefined;
  /** FACEID_COMPILED_DIR */
  readonly compiledDir: string | undefined;
  /** APPDATA (Windows) */
  readonly appData: string | undefined;
  /** XDG_CONFIG_HOME */
  readonly xdgConfigHome: string | undefined;
}

export function defaultStudioDir(env: StudioPathsEnvironment, platform: NodeJS.Platform = process.platform): string {
  const fromEnvironment = env.studioHome ?? env.legacyStudioDir;
  if (fromEnvironment !== undefined) return path.resolve(fromEnvironment);
  switch (platform) {
    case 'win32':
      return path.join(env.appData ?? path.join(os.homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return path.join(os.homedir(), 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return path.join(env.xdgConfigHome ?? path.join(os.homedir(), '.config'), PRODUCT_NAME);
  }
}

export interface ModelFolders {
  /** Downloads land here (ComfyUI folder names); the app's models handler lists `<library>/models` too. */
  readonly modelsDir: string;
  /** models-state.json, scan-cache.json. */
  readonly stateDir: string;
}

/** The studio's folders; an explicit models folder (CLI --models) keeps its state beside it in `.faceid/`. */
export function modelFolders(options: { studioDir: string; modelsDir?: string | undefined }): ModelFolders {
  if (options.modelsDir) {
    const modelsDir = path.resolve(options.modelsDir);
    return { modelsDir, stateDir: path.join(modelsDir, '.faceid') };
  }
  return { modelsDir: path.join(options.studioDir, 'models'), stateDir: options.studioDir };
}

/** The compiled-graph cache shared by `faceid compile`, `faceid generate` and the app: $FACEID_COMPILED_DIR, else <studio folder>/compiled. */
export function compiledCacheDir(env: StudioPathsEnvironment): string {
  return env.compiledDir ? path.resolve(env.compiledDir) : path.join(defaultStudioDir(env), 'compiled');
}
