// `npm start`: builds the renderer if its sources changed, then opens the Electron window; where Electron's binary is
// missing (it is downloaded on first use, which offline machines cannot do) it says so and starts the studio host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRendererIfStale } from '../src-main/app/host/renderer-build.ts';
import { runHost } from '../src-main/app/host/run-host.ts';
import { findElectronBinary } from './electron-binary.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main?: string };

/** The Electron main script named by package.json `main`, once the Electron shell has built it. */
function electronMain(): string | undefined {
  const main = packageJson.main;
  return main !== undefined && existsSync(path.join(repoRoot, main)) ? main : undefined;
}

if (!buildRendererIfStale(repoRoot)) process.exit(1);
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
