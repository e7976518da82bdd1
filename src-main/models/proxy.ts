// The dispatcher downloads go through: undici's EnvHttpProxyAgent, which honours HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY (either case) the way curl and npm do. Built from the values app/environment.ts read,
// so tests and the settings page can pass their own.
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';

export interface ProxyEnvironment {
  readonly HTTPS_PROXY?: string | undefined;
  readonly https_proxy?: string | undefined;
  readonly HTTP_PROXY?: string | undefined;
  readonly http_proxy?: string | undefined;
  readonly NO_PROXY?: string | undefined;
  readonly no_proxy?: string | undefined;
}

export function proxyDispatcherFromEnv(env: ProxyEnvironment): Dispatcher {
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy ?? httpProxy;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  if (!httpProxy && !httpsProxy) return new Agent();
  return new EnvHttpProxyAgent({
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  });
}
