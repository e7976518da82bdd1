import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent } from 'undici';
import { StudioError } from '../base/errors.ts';
import { startFileServer, type FileServer } from '../../test/helpers/file-server.ts';
import { makeZip } from '../../test/helpers/zip-writer.ts';
import { bundledCatalog, parseCatalog } from './catalog.ts';
import type { Catalog } from './catalog-schema.ts';
import { ModelManager, type ModelEvent } from './model-manager.ts';
import { FileSecretStore, HUGGING_FACE_TOKEN } from './secret-store.ts';

const bodies = {
  adapter: randomBytes(300_000),
  portrait: randomBytes(200_000),
  lora: randomBytes(150_000),
  detector: randomBytes(40_000),
  recognizer: randomBytes(90_000),
  imageEncoder: randomBytes(60_000),
};
const zip = makeZip([
  { name: 'buffalo_l/det_10g.onnx', data: bodies.detector },
  { name: 'buffalo_l/w600k_r50.onnx', data: bodies.recognizer, store: true },
]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: FileServer;
let folder: string;

before(async () => {
  server = await startFileServer();
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-manager-'));
  // Slow enough that two concurrent callers really overlap.
  server.route('/adapter.bin', { body: bodies.adapter, chunkBytes: 16_384, chunkDelayMs: 2 });
  server.route('/portrait.bin', { body: bodies.portrait });
  server.route('/lora.safetensors', { body: bodies.lora, requireAuthorization: 'Bearer hf_test_token' });
  server.route('/buffalo_l.zip', { body: zip, chunkBytes: 8192, chunkDelayMs: 2 });
  server.route('/image-encoder.safetensors', { body: bodies.imageEncoder });
});
after(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** The bundled catalog, cut down and pointed at the test server with the test bodies' sizes; the published hashes
 * (of the real files) replaced by the test body's for the FaceID adapter and left unpinned for the others. */
function pinnedTo(body: Uint8Array | undefined): { sha256: string | null; sha256Source?: string } {
  return body ? { sha256: createHash('sha256').update(body).digest('hex'), sha256Source: 'the test server' } : { sha256: null };
}

async function testCatalog(): Promise<Catalog> {
  const bundled = structuredClone(bundledCatalog) as Catalog;
  const routes: Record<string, { path: string; size: number; host: 'huggingface' | 'github' }> = {
    'faceid-sd15': { path: '/adapter.bin', size: bodies.adapter.length, host: 'huggingface' },
    'faceid-portrait-v11-sd15': { path: '/portrait.bin', size: bodies.portrait.length, host: 'huggingface' },
    'faceid-sd15-lora': { path: '/lora.safetensors', size: bodies.lora.length, host: 'huggingface' },
    'insightface-det-10g': { path: '/buffalo_l.zip', size: bodies.detector.length, host: 'github' },
    'insightface-w600k-r50': { path: '/buffalo_l.zip', size: bodies.recognizer.length, host: 'github' },
    'clip-vit-h14-image-encoder': { path: '/image-encoder.safetensors', size: bodies.imageEncoder.length, host: 'huggingface' },
  };
  const entries = bundled.entries
    .filter((e) => routes[e.id])
    .map((e) => ({ ...e, sizeBytes: routes[e.id]!.size, sizeExact: true, source: { ...e.source, url: `${server.url}${routes[e.id]!.path}`, host: routes[e.id]!.host }, ...pinnedTo(e.id === 'faceid-sd15' ? bodies.adapter : undefined) }));
  return { schemaVersion: 1, entries };
}

async function newManager(name: string, token?: string): Promise<ModelManager> {
  const root = path.join(folder, name);
  const secretStore = new FileSecretStore(path.join(root, 'secrets.json'));
  if (token) await secretStore.set(HUGGING_FACE_TOKEN, token);
  return new ModelManager({
    modelsDir: path.join(root, 'models'),
    stateDir: root,
    catalog: parseCatalog(JSON.stringify(await testCatalog())),
    secretStore,
    dispatcher: new Agent(),
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
  });
}

const isCode = (code: string) => (e: unknown) => e instanceof StudioError && e.code === code;

test('research-only models need a one-time acknowledgement, and commercial-clean mode refuses them', async () => {
  const manager = await newManager('licence', 'hf_test_token');
  await assert.rejects(manager.download('faceid-sd15'), isCode('model.licence-not-acknowledged'));
  await manager.setCommercialClean(true);
  await assert.rejects(manager.download('faceid-sd15'), isCode('model.hidden-by-commercial-clean'));
  const free = await manager.download('clip-vit-h14-image-encoder');
  assert.equal(free.length, 1, 'a permissively licensed model still downloads in commercial-clean mode');
  assert.equal(server.requests.filter((r) => r.path !== '/image-encoder.safetensors').length, 0, 'nothing research-only was fetched');
});

test('two concurrent downloads sharing dependencies fetch each shared file once; the zip is extracted and removed', async () => {
  const manager = await newManager('shared', 'hf_test_token');
  await manager.acknowledgeNonCommercial();
  const events: ModelEvent[] = [];
  manager.events.on('event', (e) => events.push(e));
  const before = server.requests.length;
  const [faceid, portrait] = await Promise.all([manager.download('faceid-sd15'), manager.download('faceid-portrait-v11-sd15')]);
  const requests = server.requests.slice(before).map((r) => r.path);
  assert.equal(requests.filter((p) => p === '/buffalo_l.zip').length, 1, `zip fetched once: ${requests.join(' ')}`);
  assert.equal(requests.filter((p) => p === '/adapter.bin').length, 1);
  assert.deepEqual(faceid.map((m) => m.id), ['faceid-sd15-lora', 'insightface-det-10g', 'insightface-w600k-r50', 'faceid-sd15']);
  assert.deepEqual(portrait.map((m) => m.id), ['insightface-det-10g', 'insightface-w600k-r50', 'faceid-portrait-v11-sd15']);
  const detector = faceid.find((m) => m.id === 'insightface-det-10g')!;
  assert.deepEqual(await readFile(detector.path), bodies.detector);
  assert.equal(path.relative(manager.modelsDir, detector.path), path.join('insightface', 'models', 'buffalo_l', 'det_10g.onnx'));
  assert.deepEqual(await readFile(faceid.find((m) => m.id === 'insightface-w600k-r50')!.path), bodies.recognizer);
  assert.ok(!existsSync(path.join(manager.modelsDir, '.downloads', 'buffalo_l.zip')), 'the archive is removed once both members are out');
  assert.ok(events.some((e) => e.type === 'download.progress' && e.id === 'faceid-sd15' && e.progress.receivedBytes === bodies.adapter.length));
  assert.ok(events.some((e) => e.type === 'download.state' && e.id === 'faceid-sd15' && e.state === 'finished'));
  // The gated LoRA got the token as a Bearer header; the GitHub archive did not.
  const sent = server.requests.slice(before);
  assert.equal(sent.find((r) => r.path === '/lora.safetensors')?.authorization, 'Bearer hf_test_token');
  assert.equal(sent.find((r) => r.path === '/buffalo_l.zip')?.authorization, undefined);
  // A second call finds everything in place and fetches nothing.
  const again = server.requests.length;
  await manager.download('faceid-sd15');
  assert.equal(server.requests.length, again);
});

test('the first download records the hash of an unverified entry; a later download with other bytes is refused', async () => {
  const manager = await newManager('recorded', 'hf_test_token');
  await manager.acknowledgeNonCommercial();
  await manager.download('faceid-portrait-v11-sd15');
  const state = JSON.parse(await readFile(path.join(folder, 'recorded', 'models-state.json'), 'utf8')) as { recordedHashes: Record<string, { sha256: string }> };
  assert.equal(state.recordedHashes['faceid-portrait-v11-sd15']?.sha256, sha(bodies.portrait));
  const portraitPath = manager.destinationOf(manager.catalog().get('faceid-portrait-v11-sd15'));
  await rm(portraitPath);
  const changed = Buffer.from(bodies.portrait);
  changed[5] = (changed[5] ?? 0) ^ 1;
  server.route('/portrait.bin', { body: changed });
  try {
    await assert.rejects(manager.download('faceid-portrait-v11-sd15'), isCode('model.checksum-mismatch'));
    assert.ok(!existsSync(portraitPath));
  } finally {
    server.route('/portrait.bin', { body: bodies.portrait });
  }
});

test('a published sha256 is checked: other bytes are refused and deleted, the right ones kept', async () => {
  const manager = await newManager('pinned', 'hf_test_token');
  await manager.acknowledgeNonCommercial();
  const adapterPath = manager.destinationOf(manager.catalog().get('faceid-sd15'));
  const changed = Buffer.from(bodies.adapter);
  changed[7] = (changed[7] ?? 0) ^ 1;
  server.route('/adapter.bin', { body: changed });
  try {
    await assert.rejects(manager.download('faceid-sd15'), isCode('model.checksum-mismatch'));
    assert.ok(!existsSync(adapterPath));
  } finally {
    server.route('/adapter.bin', { body: bodies.adapter });
  }
  await manager.download('faceid-sd15');
  assert.equal(sha(await readFile(adapterPath)), sha(bodies.adapter));
});

test('pause keeps the partial file, cancel deletes it, and a fresh download then completes', async () => {
  const manager = await newManager('pause', 'hf_test_token');
  await manager.acknowledgeNonCommercial();
  server.route('/adapter.bin', { body: bodies.adapter, chunkBytes: 4096, chunkDelayMs: 20 });
  try {
    const part = `${manager.destinationOf(manager.catalog().get('faceid-sd15'))}.part`;
    let paused = false;
    manager.events.on('event', (e) => {
      if (!paused && e.type === 'download.progress' && e.id === 'faceid-sd15' && e.progress.receivedBytes > 20_000) {
        paused = true;
        manager.pause('faceid-sd15');
      }
    });
    await assert.rejects(manager.download('faceid-sd15'), isCode('cancelled'));
    const kept = statSync(part).size;
    assert.ok(kept > 0 && kept < bodies.adapter.length);
    const cancelled: string[] = [];
    manager.events.on('event', (e) => e.type === 'download.state' && e.state === 'cancelled' && cancelled.push(e.id));
    await manager.cancel('faceid-sd15');
    assert.ok(!existsSync(part), 'cancel removes the partial file');
    assert.deepEqual(cancelled, ['faceid-sd15']);
    server.route('/adapter.bin', { body: bodies.adapter });
    const installed = await manager.download('faceid-sd15');
    assert.equal(installed.at(-1)?.sha256, sha(bodies.adapter));
  } finally {
    server.route('/adapter.bin', { body: bodies.adapter, chunkBytes: 16_384, chunkDelayMs: 2 });
  }
});

test('pause then download again at once resumes from the partial file', async () => {
  const manager = await newManager('resume', 'hf_test_token');
  await manager.acknowledgeNonCommercial();
  await manager.download('faceid-sd15-lora');
  await manager.download('insightface-det-10g');
  await manager.download('insightface-w600k-r50');
  server.route('/adapter.bin', { body: bodies.adapter, chunkBytes: 4096, chunkDelayMs: 10 });
  try {
    let paused = false;
    const onEvent = (e: ModelEvent) => {
      if (!paused && e.type === 'download.progress' && e.id === 'faceid-sd15' && e.progress.receivedBytes > 20_000) {
        paused = true;
        manager.pause('faceid-sd15');
      }
    };
    manager.events.on('event', onEvent);
    await assert.rejects(manager.download('faceid-sd15'), isCode('cancelled'));
    manager.events.off('event', onEvent);
    const before = server.requests.length;
    const installed = await manager.download('faceid-sd15');
    assert.equal(installed.at(-1)?.sha256, sha(bodies.adapter));
    assert.match(server.requests.slice(before).find((r) => r.path === '/adapter.bin')?.range ?? '', /^bytes=[1-9]\d*-$/);
  } finally {
    server.route('/adapter.bin', { body: bodies.adapter, chunkBytes: 16_384, chunkDelayMs: 2 });
  }
});

test('the token file is private to its owner and an unknown model id is a clear error', async () => {
  const store = new FileSecretStore(path.join(folder, 'private', 'secrets.json'));
  await store.set(HUGGING_FACE_TOKEN, 'hf_abc');
  assert.equal(statSync(store.file).mode & 0o777, 0o600);
  assert.equal(await store.get(HUGGING_FACE_TOKEN), 'hf_abc');
  if (process.platform !== 'win32') {
    await chmod(store.file, 0o644);
    await assert.rejects(store.get(HUGGING_FACE_TOKEN), (e: unknown) => {
      assert.ok(e instanceof StudioError && e.code === 'model.secret-store-insecure');
      assert.doesNotMatch(`${e.userMessage} ${e.hint}`, /hf_abc/);
      return true;
    });
  }
  const manager = await newManager('unknown');
  await assert.rejects(manager.download('no-such-model'), isCode('model.unknown-id'));
});
