// `npm run host`: the studio host on 127.0.0.1 (or --host), printing the URL with its token. From a checkout it
// first builds the renderer when that is missing or older than its sources, as `npm start` does.
import { repoRoot } from './compose.ts';
import { buildRendererIfStale } from './host/renderer-build.ts';
import { runHost } from './host/run-host.ts';

/** `root` and `build` are the checkout and its renderer build; tests give a temp folder and a stand-in for vite. */
export async function hostMain(args: string[], root = repoRoot, build?: (root: string) => boolean): Promise<void> {
  if (!buildRendererIfStale(root, build)) process.exit(1);
  await runHost(args);
}

if (import.meta.main) await hostMain(process.argv.slice(2));
