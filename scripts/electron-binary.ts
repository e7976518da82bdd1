// Where the Electron executable is, without `require('electron')` (which would try to download it).
// Used by `npm start` (window or host) and the Electron smoke test (run or skip).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The executable's path, or a sentence saying why there is none. */
export function findElectronBinary(): { path: string } | { missing: string } {
  const packageFolder = path.join(repoRoot, 'node_modules/electron');
  const pathFile = path.join(packageFolder, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const distFolder = override !== undefined && override !== '' ? override : path.join(packageFolder, 'dist');
  const executable = path.join(distFolder, relative);
  if (existsSync(executable)) return { path: executable };
  return { missing: `Electron binary not installed (no ${executable}; npm skips its download, and this machine cannot fetch it — run \`npx install-electron\` where GitHub is reachable, or set ELECTRON_OVERRIDE_DIST_PATH)` };
}
