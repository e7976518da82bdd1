// The renderer is rebuilt exactly when it is missing or older than its sources, never where there are no sources
// (a packaged app), and `npm run host` does so before it starts, as `npm start` does.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { hostMain } from '../host-main.ts';
import { buildRendererIfStale, rendererState } from './renderer-build.ts';

// Times are seconds after START, which lies after now: the folders (whose own times count too) stay older.
const START = Math.ceil(Date.now() / 1000) + 60;

/** Writes a file modified `at` seconds after START. */
function write(root: string, file: string, at: number): void {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, file);
  utimesSync(target, START + at, START + at);
}

/** A checkout with renderer sources last changed at 1000. */
function checkout(t: TestContext): string {
  const root = tempFolder(t, 'faceid-checkout-');
  write(root, 'vite.renderer.config.ts', 1000);
  write(root, 'src-renderer/main.tsx', 1000);
  write(root, 'src-preload/contract/index.ts', 1000);
  return root;
}

test('missing or older than any of its sources, the renderer is stale; built after them, it is fresh', (t) => {
  const root = checkout(t);
  assert.equal(rendererState(root), 'stale', 'never built');
  write(root, 'dist/renderer/index.html', 2000);
  assert.equal(rendererState(root), 'fresh');
  write(root, 'src-renderer/features/deep/Page.tsx', 3000);
  assert.equal(rendererState(root), 'stale', 'a nested renderer source changed');
  write(root, 'dist/renderer/index.html', 4000);
  write(root, 'src-preload/contract/settings.ts', 5000);
  assert.equal(rendererState(root), 'stale', 'the contract the renderer bundles changed');
  write(root, 'dist/renderer/index.html', 6000);
  write(root, 'vite.renderer.config.ts', 7000);
  assert.equal(rendererState(root), 'stale', 'the build config changed');
});

test('without renderer sources (a packaged app) nothing is built, even with no built renderer', (t) => {
  const packaged = tempFolder(t, 'faceid-packaged-');
  write(packaged, 'out/main/electron-main.js', 1000);
  assert.equal(rendererState(packaged), 'no-sources');
  let builds = 0;
  assert.equal(buildRendererIfStale(packaged, () => ++builds > 0), true);
  assert.equal(builds, 0);
});

test('a stale renderer is built once, with a line saying so; a failed build is reported', (t) => {
  const root = checkout(t);
  const logged = t.mock.method(console, 'log', () => {});
  const errors = t.mock.method(console, 'error', () => {});
  const built: string[] = [];
  const build = (folder: string): boolean => {
    built.push(folder);
    write(folder, 'dist/renderer/index.html', 2000);
    return true;
  };
  assert.equal(buildRendererIfStale(root, build), true);
  assert.equal(buildRendererIfStale(root, build), true, 'fresh the second time');
  assert.deepEqual(built, [root]);
  assert.deepEqual(logged.mock.calls.map((call) => call.arguments[0]), ['Building the renderer…']);

  write(root, 'src-renderer/main.tsx', 3000);
  assert.equal(buildRendererIfStale(root, () => false), false);
  assert.match(String(errors.mock.calls[0]?.arguments[0]), /renderer build failed/);
});

test('npm run host builds a stale renderer before it starts', async (t) => {
  const root = checkout(t);
  const logged = t.mock.method(console, 'log', () => {});
  const built: string[] = [];
  await hostMain(['--help'], root, (folder) => {
    built.push(folder);
    return true;
  });
  assert.deepEqual(built, [root]);
  const output = logged.mock.calls.map((call) => String(call.arguments[0]));
  assert.equal(output[0], 'Building the renderer…');
  assert.match(output[1] ?? '', /^Usage: npm run host/, 'then the host runs (here: its --help)');
});
