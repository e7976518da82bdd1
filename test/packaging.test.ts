// `npm run package:dir` packs the real app (electron-builder --dir --linux, stub Electron executable) and the
// packed layout is checked: what the asar holds, what is unpacked beside it, and that the packed modules load.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forkEngineProcess } from '../src-main/electron/engine-process.ts';
import { extractAsar, listAsar, type AsarEntry } from './helpers/asar.ts';
import { repoRoot } from './helpers/fixtures.ts';

const appFolder = path.join(repoRoot, 'release/linux-unpacked');
const resources = path.join(appFolder, 'resources');
const archive = path.join(resources, 'app.asar');
/** Linux x64 app without Electron itself (the asar plus unpacked natives); measured 71 MB when written. */
const SIZE_BUDGET_BYTES = 110 * 1024 * 1024;

/** The packaging inputs other rooms own; until they exist in a checkout there is nothing to pack. */
const missingInputs = ['src-preload/preload.ts', 'vite.renderer.config.ts', 'src-renderer/index.html'].filter((file) => !existsSync(path.join(repoRoot, file)));
const skip = missingInputs.length > 0 ? `nothing to pack yet: ${missingInputs.join(', ')} not in this checkout` : false;

let entries: AsarEntry[] = [];
let paths = new Set<string>();
const extracted = mkdtempSync(path.join(os.tmpdir(), 'faceid-packed-'));

before(() => {
  if (skip !== false) return;
  const started = Date.now();
  // The timeout is a hang guard, not a speed limit: packing takes minutes on a loaded machine.
  const result = spawnSync(process.execPath, ['scripts/package-dir.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  assert.equal(result.status, 0, `npm run package:dir failed:\n${result.stdout}\n${result.stderr}`);
  console.log(`package:dir took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  entries = listAsar(archive);
  paths = new Set(entries.map((entry) => entry.path));
});

after(() => rmSync(extracted, { recursive: true, force: true }));


function folderBytes(folder: string): number {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(path.join(folder, name)))
    .reduce((sum, info) => sum + (info.isFile() ? info.size : 0), 0);
}

test('the unpacked app has the executable, the asar and the unpacked natives, within the size budget', { skip }, () => {
  assert.ok(existsSync(path.join(appFolder, 'faceid-studio')), 'executable named after linux.executableName');
  const asarBytes = statSync(archive).size;
  const unpackedBytes = folderBytes(`${archive}.unpacked`);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`size: app.asar ${mb(asarBytes)} (${entries.length} files), app.asar.unpacked ${mb(unpackedBytes)}, total ${mb(asarBytes + unpackedBytes)} of ${mb(SIZE_BUDGET_BYTES)} budget`);
  assert.ok(asarBytes + unpackedBytes < SIZE_BUDGET_BYTES);
});

test('the asar holds the bundles, the built renderer, the icon and the CLIP tokenizer, and main points at the bundle', { skip }, () => {
  const packedPackage = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string };
  const tokenizer = ['vocab.json', 'merges.txt', 'LICENSE'].map((file) => `/assets/tokenizer/clip-vit-large-patch14/${file}`);
  for (const file of ['/package.json', `/${packedPackage.main}`, '/out/main/electron-main.js', '/out/preload/preload.cjs', '/dist/renderer/index.html', '/assets/icon.png', ...tokenizer]) {
    assert.ok(paths.has(file), `${file} missing from app.asar`);
  }
  assert.ok(entries.some((entry) => entry.path.startsWith('/dist/renderer/') && entry.path.endsWith('.js')), 'renderer scripts missing');
});

test('the sandboxed preload requires nothing but electron, and exposes only window.studio', { skip }, () => {
  // A sandboxed preload has no Node require: anything but `electron` must be inlined (zod, the contract).
  const preload = readFileSync(path.join(repoRoot, 'out/preload/preload.cjs'), 'utf8');
  assert.deepEqual([...new Set([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]))], ['electron']);
  assert.deepEqual([...preload.matchAll(/exposeInMainWorld\(\s*["']([^"']+)["']/g)].map((match) => match[1]), ['studio']);
});

test('no sources, tests, source maps or build scripts are packed', { skip }, () => {
  const offending = entries
    .map((entry) => entry.path)
    .filter((file) =>
      /^\/(src-main|src-preload|src-renderer|test|scripts|bench|\.ci|\.cache)\//.test(file) ||
      /\.(ts|tsx|mts|cts|map)$/.test(file) ||
      /\.(test|spec)\.[cm]?[jt]sx?$/.test(file) ||
      /\/(test|tests|__tests__)\//.test(file));
  assert.deepEqual(offending, []);
});

test('no devDependency is packed (React and MUI live inlined in the renderer bundle)', { skip }, () => {
  const { devDependencies } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const packedPackages = new Set(entries.flatMap((entry) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(entry.path)?.[1] ?? []));
  assert.deepEqual(Object.keys(devDependencies).filter((name) => packedPackages.has(name)), []);
  for (const name of ['onnxruntime-node', 'better-sqlite3', 'sharp', 'zod']) assert.ok(packedPackages.has(name), `${name} missing`);
});

test('native binaries are unpacked beside the asar, for linux-x64 only', { skip }, () => {
  const unpacked = entries.filter((entry) => entry.isUnpacked).map((entry) => entry.path);
  for (const native of [
    '/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    '/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    '/node_modules/better-sqlite3/prebuilds/linux-x64.node',
  ]) {
    assert.ok(unpacked.includes(native), `${native} not unpacked`);
    assert.ok(existsSync(path.join(`${archive}.unpacked`, native)), `${native} not on disk`);
  }
  assert.ok(unpacked.some((file) => /^\/node_modules\/@img\/sharp-linux-x64\/lib\/.*\.node$/.test(file)), 'sharp binding not unpacked');
  assert.ok(unpacked.some((file) => /^\/node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(file)), 'libvips not unpacked');
  const foreign = entries.map((entry) => entry.path).filter((file) => /(darwin|win32|linux\/arm64|linux-arm64|linuxmusl)/.test(file) && /\.(node|so[.\d]*|dylib|dll)$/.test(file));
  assert.deepEqual(foreign, []);
  const packedNatives = entries.filter((entry) => !entry.isUnpacked && /\.(node|so[.\d]*|dylib|dll)$/.test(entry.path)).map((entry) => entry.path);
  assert.deepEqual(packedNatives, [], 'natives inside the asar cannot be loaded');
});

test('every package the main bundle imports is packed, and the natives load from the packed copy', { skip }, () => {
  extractAsar(archive, extracted);
  const mainFolder = path.join(extracted, 'out/main');
  const bundle = readdirSync(mainFolder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(path.join(mainFolder, file), 'utf8'))
    .join('\n');
  const specifiers = new Set([...bundle.matchAll(/(?:from|import\()\s*["']([^"'.][^"']*)["']/g)].map((match) => match[1] ?? ''));
  const packages = [...specifiers].filter((name) => name !== 'electron' && !name.startsWith('node:'));
  // Run in the extracted tree, under /tmp: resolution cannot fall back to the repository's node_modules.
  const script = `
    for (const name of ${JSON.stringify(packages)}) await import(name);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    const sqlite = db.prepare('select sqlite_version() as v').get().v;
    const ort = await import('onnxruntime-node');
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).png().toBuffer();
    console.log(JSON.stringify({ sqlite, ortBackends: ort.listSupportedBackends().map((b) => b.name), pngBytes: png.length,
      binding: (await import('node:module')).createRequire(import.meta.url).resolve('onnxruntime-node') }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: mainFolder, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_PATH: '' } });
  assert.equal(result.status, 0, result.stderr);
  const loaded = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { sqlite: string; ortBackends: string[]; pngBytes: number; binding: string };
  console.log(`packed modules: ${packages.join(', ')}; sqlite ${loaded.sqlite}, onnxruntime backends ${loaded.ortBackends.join('/')}`);
  assert.ok(loaded.ortBackends.includes('cpu'));
  assert.ok(loaded.pngBytes > 0);
  assert.ok(loaded.binding.startsWith(extracted), `onnxruntime-node resolved outside the packed copy: ${loaded.binding}`);
});

test('the packed engine worker starts in its own process and answers', { skip }, async () => {
  // Under Node's fork here; main.ts starts the same file as an Electron utility process. Both speak process IPC.
  const cacheDir = path.join(extracted, 'engine-cache');
  const engine = forkEngineProcess(path.join(extracted, 'out/main/engine-worker.js'), [`--engine-options=${JSON.stringify({ cacheDir })}`]);
  try {
    const answer = new Promise<{ type: string; providers?: Array<{ name: string }> }>((resolve, reject) => {
      engine.onMessage((message) => resolve(message as { type: string }));
      engine.onExit((code) => reject(new Error(`engine worker exited with ${code}`)));
    });
    engine.postMessage({ type: 'providers' });
    const event = await answer;
    assert.equal(event.type, 'providers');
    assert.ok(Array.isArray(event.providers), JSON.stringify(event));
    assert.notEqual(engine.pid, process.pid);
  } finally {
    engine.kill();
  }
});
