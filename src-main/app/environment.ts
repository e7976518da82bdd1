// The environment variables the studio honours, read here and nowhere else (test/layering checks it): the
// composition roots (the host, the Electron main, the CLI commands) call readEnvironment() once and pass the values
// down, so the engine and the lower parts never see process.env and tests pass their own values.
import type { ProxyEnvironment } from '../models/proxy.ts';
import type { StudioPathsEnvironment } from '../models/studio-paths.ts';

export interface StudioEnvironment extends StudioPathsEnvironment {
  /** FACEID_FACE_MODELS: when set, the only folder the face models are looked for in. */
  readonly faceModels: string | undefined;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (either case) for model downloads. */
  readonly proxy: ProxyEnvironment;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): StudioEnvironment {
  // An empty variable counts as unset.
  const value = (name: string): string | undefined => env[name] || undefined;
  return {
    studioHome: value('FACEID_STUDIO_HOME'),
    legacyStudioDir: value('FACEID_STUDIO_DIR'),
    compiledDir: value('FACEID_COMPILED_DIR'),
    faceModels: value('FACEID_FACE_MODELS'),
    appData: value('APPDATA'),
    xdgConfigHome: value('XDG_CONFIG_HOME'),
    proxy: {
      HTTPS_PROXY: env.HTTPS_PROXY,
      https_proxy: env.https_proxy,
      HTTP_PROXY: env.HTTP_PROXY,
      http_proxy: env.http_proxy,
      NO_PROXY: env.NO_PROXY,
      no_proxy: env.no_proxy,
    },
  };
}
