import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFileServer, type FileServer } from '../../test/helpers/file-server.ts';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { makeZip, type ZipMember } from '../../test/helpers/zip-writer.ts';
import { StudioError } from '../base/errors.ts';
import { ModelManager } from './model-manager.ts';
import { GPU_RUNTIME_ID, gpuRuntimePackage, gpuRuntimeState, installedGpuRuntimeRecord, installGpuRuntime, type NugetFeed } from './gpu-runtime.ts';

const VERSION = '1.30.0';
const ID = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
const fastRetry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
// Random bytes do not deflate: the package is as large as its libraries, so a connection can be cut midway.
const cudaLibrary = randomBytes(400_000);
const sharedLibrary = randomBytes(50_000);

function nuspec(id: string, version: string): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n<package><metadata><id>${id}</id><version>${version}</version></metadata></package>\n`);
}

/** A package laid out as nuget.org's Gpu.Linux package is: the nuspec at the root, libraries under runtimes/<rid>/native. */
function nupkg(members: { id?: string; version?: string; omit?: string } = {}): Buffer {
  const all: ZipMember[] = [
    { name: '_rels/.rels', data: Buffer.from('<Relationships/>') },
    { name: `${ID}.nuspec`, data: nuspec(members.id ?? ID, members.version ?? VERSION) },
    { name: 'runtimes/linux-x64/native/libonnxruntime_providers_cuda.so', data: cudaLibrary },
    { name: 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so', data: sharedLibrary },
    { name: 'runtimes/linux-x64/native/libonnxruntime_providers_tensorrt.so', data: Buffer.from('not used') },
  ];
  return makeZip(all.filter((m) => m.name !== members.omit));
}

const sha512 = (bytes: Buffer, encoding: 'base64' | 'hex' = 'base64') => createHash('sha512').update(bytes).digest(encoding);

let server: FileServer;
let feed: NugetFeed;
before(async () => {
  server = await startFileServer();
});
after(async () => {
  await server.close();
});

/** Serves a package at `/<name>/…` with the registration leaf and catalog entry nuget.org would publish for it. */
function publish(name: string, body: Buffer, published: { hash?: string; size?: number } = {}): NugetFeed {
  const thisFeed = { flatContainerUrl: `${server.url}/${name}/v3-flatcontainer`, registrationsUrl: `${server.url}/${name}/v3/registration5-semver1` };
  const pkg = gpuRuntimePackage('linux', 'x64', VERSION, thisFeed)!;
  const catalogPath = `/${name}/v3/catalog0/data/2026.01.01/${ID.toLowerCase()}.${VERSION}.json`;
  server.route(new URL(pkg.registrationUrl).pathname, { body: Buffer.from(JSON.stringify({ '@id': pkg.registrationUrl, catalogEntry: `${server.url}${catalogPath}`, listed: true, packageContent: pkg.packageUrl })) });
  server.route(catalogPath, {
    body: Buffer.from(JSON.stringify({ id: ID, version: VERSION, packageHash: published.hash ?? sha512(body), packageHashAlgorithm: 'SHA512', packageSize: published.size ?? body.length })),
  });
  return thisFeed;
}

function folders(t: Parameters<typeof tempFolder>[0]) {
  const root = tempFolder(t);
  return { nativeFolder: path.join(root, 'bin', 'napi-v6', 'linux', 'x64'), downloadsDir: path.join(root, 'models', '.downloads') };
}

async function prepare(t: Parameters<typeof tempFolder>[0]) {
  const f = folders(t);
  await mkdir(f.nativeFolder, { recursive: true });
  await writeFile(path.join(f.nativeFolder, 'libonnxruntime.so.1'), 'the bundled runtime');
  return f;
}

const base = { platform: 'linux' as const, arch: 'x64', onnxruntimeVersion: VERSION, retry: fastRetry };

test('the package is the Gpu.Linux one of the exact onnxruntime version, at its flat-container address; none where no CUDA build exists', () => {
  const pkg = gpuRuntimePackage('linux', 'x64', '1.30.0')!;
  assert.equal(pkg.packageUrl, 'https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg');
  assert.deepEqual(pkg.members.map((m) => m.pathInPackage).toSorted(), ['runtimes/linux-x64/native/libonnxruntime_providers_cuda.so', 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so']);
  const windows = gpuRuntimeState({ nativeFolder: '/nowhere', platform: 'win32', arch: 'x64', onnxruntimeVersion: '1.30.0' });
  assert.equal(windows.state, 'unsupported');
  assert.match(windows.state === 'unsupported' ? windows.reason : '', /DirectML/);
  assert.equal(gpuRuntimeState({ nativeFolder: '/nowhere', platform: 'linux', arch: 'arm64', onnxruntimeVersion: '1.30.0' }).state, 'unsupported');
});

test('a download cut midway resumes, is checked against the published SHA-512 and size, and unpacks beside libonnxruntime', async (t) => {
  const body = nupkg();
  feed = publish('good', body);
  server.route(new URL(gpuRuntimePackage('linux', 'x64', VERSION, feed)!.packageUrl).pathname, { body, dropAfterBytes: 150_000, dropTimes: 1 });
  const f = await prepare(t);
  assert.equal(gpuRuntimeState({ ...base, ...f, feed }).state, 'missing');
  const installed = await installGpuRuntime({ ...base, ...f, feed });

  const ranges = server.requests.filter((r) => r.path.endsWith('.nupkg') && r.path.startsWith('/good/')).map((r) => r.range);
  assert.equal(ranges.length, 2, 'one cut, one resume');
  assert.match(ranges[1] ?? '', /^bytes=[1-9]\d*-$/);
  assert.equal(installed.sha512, sha512(body));
  assert.match(installed.verifiedAgainst, /nuget\.org's published SHA-512 and size/);
  assert.deepEqual(await readFile(path.join(f.nativeFolder, 'libonnxruntime_providers_cuda.so')), cudaLibrary);
  assert.deepEqual(await readFile(path.join(f.nativeFolder, 'libonnxruntime_providers_shared.so')), sharedLibrary);
  // Only what the CUDA provider needs, no staging left, the package deleted once unpacked.
  assert.deepEqual((await readdir(f.nativeFolder)).toSorted(), ['libonnxruntime.so.1', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'nvidia-gpu-runtime.json']);
  assert.deepEqual(existsSync(f.downloadsDir) ? await readdir(f.downloadsDir) : [], []);
  assert.equal((await installedGpuRuntimeRecord(f.nativeFolder))?.version, VERSION);
  assert.equal(gpuRuntimeState({ ...base, ...f, feed }).state, 'installed');
});

test('a package whose SHA-512 differs from the published one is refused: nothing installed, the download deleted', async (t) => {
  const body = nupkg();
  const tampered = Buffer.from(body);
  tampered[tampered.length - 100] = (tampered[tampered.length - 100] ?? 0) ^ 0xff;
  const thisFeed = publish('tampered', body);
  server.route(new URL(gpuRuntimePackage('linux', 'x64', VERSION, thisFeed)!.packageUrl).pathname, { body: tampered });
  const f = await prepare(t);
  await assert.rejects(installGpuRuntime({ ...base, ...f, feed: thisFeed }), (e: unknown) => {
    assert.ok(e instanceof StudioError && e.code === 'model.checksum-mismatch', String(e));
    assert.match(e.userMessage, /Nothing was installed/);
    return true;
  });
  assert.deepEqual(await readdir(f.nativeFolder), ['libonnxruntime.so.1']);
  assert.deepEqual(await readdir(f.downloadsDir), []);
});

test('a size other than the published one is refused before unpacking', async (t) => {
  const body = nupkg();
  const thisFeed = publish('resized', body, { size: body.length + 1 });
  server.route(new URL(gpuRuntimePackage('linux', 'x64', VERSION, thisFeed)!.packageUrl).pathname, { body });
  const f = await prepare(t);
  await assert.rejects(installGpuRuntime({ ...base, ...f, feed: thisFeed }), { code: 'model.checksum-mismatch' });
  assert.deepEqual(await readdir(f.nativeFolder), ['libonnxruntime.so.1']);
});

test('a local package: checked against a given SHA-512 (hex), its nuspec and layout; another version or a missing library installs nothing', async (t) => {
  const f = await prepare(t);
  const local = path.join(f.downloadsDir, '..', 'copy.nupkg');
  await mkdir(path.dirname(local), { recursive: true });

  await writeFile(local, nupkg({ version: '1.29.0' }));
  await assert.rejects(installGpuRuntime({ ...base, ...f, localPackage: local }), (e: unknown) => e instanceof StudioError && /names Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux 1\.29\.0/.test(e.userMessage));
  await writeFile(local, nupkg({ omit: 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so' }));
  await assert.rejects(installGpuRuntime({ ...base, ...f, localPackage: local }), (e: unknown) => e instanceof StudioError && /lacks runtimes\/linux-x64\/native\/libonnxruntime_providers_shared\.so/.test(e.userMessage));
  assert.deepEqual(await readdir(f.nativeFolder), ['libonnxruntime.so.1'], 'a failed check leaves no library behind');

  const good = nupkg();
  await writeFile(local, good);
  await assert.rejects(installGpuRuntime({ ...base, ...f, localPackage: local, localPackageSha512: sha512(randomBytes(8), 'hex') }), { code: 'model.checksum-mismatch' });
  const installed = await installGpuRuntime({ ...base, ...f, localPackage: local, localPackageSha512: sha512(good, 'hex') });
  assert.match(installed.verifiedAgainst, /SHA-512 given with the local package/);
  assert.deepEqual(await readFile(path.join(f.nativeFolder, 'libonnxruntime_providers_cuda.so')), cudaLibrary);
  assert.ok(existsSync(local), "the user's own copy is kept");
});

test('the model manager offers it as a download: progress and state events under its id, then "installed"', async (t) => {
  const body = nupkg();
  const thisFeed = publish('manager', body);
  server.route(new URL(gpuRuntimePackage('linux', 'x64', VERSION, thisFeed)!.packageUrl).pathname, { body });
  const f = await prepare(t);
  const root = tempFolder(t);
  const manager = new ModelManager({ modelsDir: path.join(root, 'models'), stateDir: root, retry: fastRetry, gpuRuntime: { nativeFolder: f.nativeFolder, platform: 'linux', arch: 'x64', feed: thisFeed } });
  assert.equal(manager.gpuRuntime().state, 'missing');
  const seen: string[] = [];
  manager.events.on('event', (e) => {
    if (e.type === 'download.state') seen.push(`${e.id}:${e.state}`);
    if (e.type === 'download.progress') seen.push(`${e.id}:progress`);
  });
  await manager.installGpuRuntime();
  assert.equal(seen[0], `${GPU_RUNTIME_ID}:started`);
  assert.ok(seen.includes(`${GPU_RUNTIME_ID}:progress`));
  assert.equal(seen.at(-1), `${GPU_RUNTIME_ID}:finished`);
  assert.equal(manager.gpuRuntime().state, 'installed');
});

test('pausing keeps the partial package for a resume; cancelling deletes it', async (t) => {
  const body = nupkg();
  const thisFeed = publish('paused', body);
  const packagePath = new URL(gpuRuntimePackage('linux', 'x64', VERSION, thisFeed)!.packageUrl).pathname;
  server.route(packagePath, { body, chunkBytes: 4096, chunkDelayMs: 20 });
  const f = await prepare(t);
  const root = tempFolder(t);
  const modelsDir = path.join(root, 'models');
  const manager = new ModelManager({ modelsDir, stateDir: root, retry: fastRetry, gpuRuntime: { nativeFolder: f.nativeFolder, platform: 'linux', arch: 'x64', feed: thisFeed } });
  const states: string[] = [];
  manager.events.on('event', (e) => {
    if (e.type === 'download.state') states.push(e.state);
    if (e.type === 'download.progress' && e.progress.receivedBytes > 8192) manager.pause(GPU_RUNTIME_ID);
  });
  await assert.rejects(manager.installGpuRuntime(), { code: 'cancelled' });
  const part = path.join(modelsDir, '.downloads', `${path.basename(packagePath)}.part`);
  assert.ok(existsSync(part), 'the part is kept');
  assert.deepEqual(await readdir(f.nativeFolder), ['libonnxruntime.so.1']);
  await manager.cancel(GPU_RUNTIME_ID);
  assert.ok(!existsSync(part), 'cancel deleted it');
  assert.deepEqual(states, ['started', 'paused', 'cancelled']);
});
