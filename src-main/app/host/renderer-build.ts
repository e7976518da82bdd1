// Builds the renderer from a checkout when its sources are newer than dist/renderer, for `npm start` and
// `npm run host`: a newcomer's first run should open the studio, not say the renderer was never built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the built renderer depends on, relative to the checkout. */
const RENDERER_INPUTS = ['src-renderer', 'src-preload/contract', 'vite.renderer.config.ts'];
const BUILT_INDEX = path.join('dist', 'renderer', 'index.html');

export type RendererState = 'fresh' | 'stale' | 'no-sources';

function newestModification(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * 'no-sources' where there is nothing to build from: a packaged app carries the built renderer and no sources
 * (electron-builder.yml packs no .ts), so nothing there is ever rebuilt.
 */
export function rendererState(root: string): RendererState {
  if (!existsSync(path.join(root, 'src-renderer')) || !existsSync(path.join(root, 'vite.renderer.config.ts'))) return 'no-sources';
  const built = path.join(root, BUILT_INDEX);
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const inputs = RENDERER_INPUTS.map((input) => path.join(root, input)).filter((input) => existsSync(input));
  return builtAt > Math.max(...inputs.map(newestModification)) ? 'fresh' : 'stale';
}

/** `vite build` of the renderer, warnings and errors only; true when it succeeded. */
function viteBuild(root: string): boolean {
  // vite's own script run by this Node, not node_modules/.bin/vite: Windows has only a vite.cmd there, which needs a shell.
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'];
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

/** Builds the renderer when it is missing or older than its sources; false (after saying why) when the build failed. */
export function buildRendererIfStale(root: string, build: (root: string) => boolean = viteBuild): boolean {
  if (rendererState(root) !== 'stale') return true;
  console.log('Building the renderer…');
  if (build(root)) return true;
  console.error('The renderer build failed (see above); fix it or run `npm run build` to see the full output.');
  return false;
}
