// `npm run package:dir`: builds the renderer and the Electron bundles, then packs the app with
// electron-builder --dir --linux (no installer), which works offline.
// Without an Electron download, electron-builder is given a stub Electron distribution: an empty `resources/`
// folder and a placeholder `electron` executable (../shared/docs/toolchain-facts.md §1). The packed app
// (release/linux-unpacked/resources/app.asar + app.asar.unpacked) is then the real one; only the
// executable beside it is the placeholder. With ELECTRON_DIST set to a real Electron folder, that is used.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { electronBundles } from './build-electron.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Creates (or refreshes) the stub Electron distribution and returns its folder. */
export function makeStubElectronDist(folder = path.join(repoRoot, '.cache/electron-stub-dist')): string {
  mkdirSync(path.join(folder, 'resources'), { recursive: true });
  const executable = path.join(folder, 'electron');
  writeFileSync(executable, '#!/bin/sh\necho "stub Electron from scripts/package-dir.ts: this package layout cannot run" >&2\nexit 1\n');
  chmodSync(executable, 0o755);
  return folder;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_BUILDER_CACHE: path.join(repoRoot, '.cache/electron-builder') },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * electron-builder.yml as it is, except for the Electron fuses: they are flipped inside the Electron executable,
 * which the stub does not have. Everything that decides the app's layout is unchanged.
 */
function stubBuildConfig(): string {
  const file = path.join(repoRoot, '.cache/electron-builder-stub.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ extends: path.join(repoRoot, 'electron-builder.yml'), electronFuses: null }, null, 2)}\n`);
  return file;
}

if (import.meta.main) {
  run('npm', ['run', 'build', '--silent']);
  for (const bundle of electronBundles) await build(bundle.config);
  const builder = path.join(repoRoot, 'node_modules/.bin/electron-builder');
  const target = ['--dir', '--linux', '--x64', '--publish', 'never'];
  const realDist = process.env.ELECTRON_DIST;
  if (realDist !== undefined && realDist !== '') run(builder, [...target, `-c.electronDist=${realDist}`]);
  else run(builder, [...target, '--config', stubBuildConfig(), `-c.electronDist=${makeStubElectronDist()}`]);
}
