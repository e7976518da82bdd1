// `npm start`: builds the renderer if its sources changed, then opens the Electron window; where Electron's binary is
// missing (it is downloaded on first use, which offline machines cannot do) it says so and starts the studio host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHost } from '../src-main/app/host/run-host.ts';
import { findElectronBinary } from './electron-binary.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builtIndex = path.join(repoRoot, 'dist/renderer/index.html');
const rendererInputs = ['src-renderer', 'src-preload/contract', 'vite.renderer.config.ts'].map((p) => path.join(repoRoot, p));

function newestModification(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function buildRendererIfNeeded(): void {
  const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  if (builtAt > Math.max(...rendererInputs.filter(existsSync).map(newestModification))) return;
  console.log('Building the renderer…');
  const vite = path.join(repoRoot, 'node_modules/.bin/vite');
  const result = spawnSync(vite, ['build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('The renderer build failed (see above); fix it or run `npm run build` to see the full output.');
    process.exit(1);
  }
}

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main?: string };

/** The Electron main script named by package.json `main`, once the Electron shell has built it. */
function electronMain(): string | undefined {
  const main = packageJson.main;
  return main !== undefined && existsSync(path.join(repoRoot, main)) ? main : undefined;
}

buildRendererIfNeeded();
const found = findElectronBinary();
const binary = 'path' in found ? found.path : undefined;
if (binary !== undefined) {
  // Electron loads the bundles, not the sources; bundling main, engine worker and preload takes about a second.
  const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-electron.ts')], { cwd: repoRoot, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('The Electron bundles did not build (see above); `npm run build:electron` shows the full output.');
    process.exit(1);
  }
}
const main = electronMain();
if (binary !== undefined && main !== undefined) {
  const child = spawn(binary, [repoRoot, ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
} else {
  const why = binary === undefined ? "Electron's binary is not installed (it downloads on first use; this machine cannot fetch it)" : `the Electron main script (${packageJson.main ?? 'package.json "main"'}) could not be built`;
  console.log(`${why}: starting the studio host instead.`);
  await runHost(process.argv.slice(2));
}
