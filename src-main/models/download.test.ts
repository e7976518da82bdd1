import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { StudioError } from '../base/errors.ts';
import { startFileServer, type FileServer } from '../../test/helpers/file-server.ts';
import { discardPartial, downloadFile, partPaths } from './download.ts';
import type { DownloadProgress } from './download-progress.ts';
import { proxyDispatcherFromEnv } from './proxy.ts';

const fastRetry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const payload = randomBytes(3 * 1024 * 1024 + 123);
const payloadSha = createHash('sha256').update(payload).digest('hex');
let server: FileServer;
let folder: string;

before(async () => {
  server = await startFileServer();
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-download-'));
});
after(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

const isCode = (code: string) => (e: unknown) => e instanceof StudioError && e.code === code;

test('a plain download lands under its final name with the right sha256 and progress up to the total', async () => {
  server.route('/plain.bin', { body: payload });
  const events: DownloadProgress[] = [];
  const destination = path.join(folder, 'plain', 'model.bin');
  const result = await downloadFile({ url: `${server.url}/plain.bin`, destination, expectedSha256: payloadSha, onProgress: (p) => events.push(p), retry: fastRetry });
  assert.equal(result.sha256, payloadSha);
  assert.deepEqual(await readFile(destination), payload);
  assert.equal(events.at(-1)?.receivedBytes, payload.length);
  assert.equal(events.at(-1)?.totalBytes, payload.length);
  assert.ok(!existsSync(partPaths(destination).part) && !existsSync(partPaths(destination).sidecar));
});

test('a connection dropped midway is resumed with a Range request and the file is whole', async () => {
  server.route('/drop.bin', { body: payload, dropAfterBytes: 1024 * 1024, dropTimes: 2 });
  const destination = path.join(folder, 'drop.bin');
  const result = await downloadFile({ url: `${server.url}/drop.bin`, destination, expectedSha256: payloadSha, retry: fastRetry });
  assert.equal(result.sha256, payloadSha);
  assert.deepEqual(await readFile(destination), payload);
  const ranges = server.requests.filter((r) => r.path === '/drop.bin').map((r) => r.range);
  assert.equal(ranges.length, 3);
  assert.equal(ranges[0], undefined);
  assert.match(ranges[1] ?? '', /^bytes=[1-9]\d*-$/);
  assert.match(ranges[2] ?? '', /^bytes=[1-9]\d*-$/);
});

test('after a client restart the next process resumes from the part file and re-hashes it', async () => {
  server.route('/restart.bin', { body: payload, dropAfterBytes: 2 * 1024 * 1024, dropTimes: 1 });
  const destination = path.join(folder, 'restart.bin');
  // First "process": one attempt only, so the drop ends it with the part file left behind.
  await assert.rejects(downloadFile({ url: `${server.url}/restart.bin`, destination, retry: { ...fastRetry, attempts: 1 } }), isCode('model.download-failed'));
  const partSize = (await stat(partPaths(destination).part)).size;
  assert.ok(partSize > 0 && partSize < payload.length);
  assert.ok(!existsSync(destination));
  // Second "process": a fresh call with nothing in memory.
  const result = await downloadFile({ url: `${server.url}/restart.bin`, destination, expectedSha256: payloadSha, retry: fastRetry });
  assert.equal(result.sha256, payloadSha);
  assert.equal(server.requests.filter((r) => r.path === '/restart.bin').at(-1)?.range, `bytes=${partSize}-`);
});

test('a server that ignores Range restarts from zero and still ends with the right file', async () => {
  server.route('/norange.bin', { body: payload, dropAfterBytes: 500_000, ignoreRange: true });
  const destination = path.join(folder, 'norange.bin');
  const result = await downloadFile({ url: `${server.url}/norange.bin`, destination, expectedSha256: payloadSha, retry: fastRetry });
  assert.equal(result.sha256, payloadSha);
});

test('a part file longer than the file on the server (416) is thrown away and the download starts over', async () => {
  const small = payload.subarray(0, 10_000);
  server.route('/shrunk.bin', { body: small });
  const destination = path.join(folder, 'shrunk.bin');
  const { part, sidecar } = partPaths(destination);
  await writeFile(part, payload.subarray(0, 50_000));
  await writeFile(sidecar, JSON.stringify({ url: `${server.url}/shrunk.bin`, etag: null, lastModified: null, totalBytes: payload.length }));
  const result = await downloadFile({ url: `${server.url}/shrunk.bin`, destination, retry: fastRetry });
  assert.equal(result.sizeBytes, small.length);
  assert.deepEqual(await readFile(destination), small);
});

test('404 and 500 give clear errors that name the file, and 500 is retried first', async () => {
  server.route('/gone.bin', { status: 404 });
  server.route('/broken.bin', { status: 500 });
  await assert.rejects(downloadFile({ url: `${server.url}/gone.bin`, destination: path.join(folder, 'gone.bin'), label: 'Gone model', retry: fastRetry }), (e: unknown) => {
    assert.ok(e instanceof StudioError && e.code === 'model.source-not-found');
    assert.match(e.userMessage, /Gone model.*404/);
    return true;
  });
  await assert.rejects(downloadFile({ url: `${server.url}/broken.bin`, destination: path.join(folder, 'broken.bin'), retry: fastRetry }), (e: unknown) => {
    assert.ok(e instanceof StudioError && e.code === 'model.source-unavailable');
    assert.match(e.userMessage, /500/);
    return true;
  });
  assert.equal(server.requests.filter((r) => r.path === '/gone.bin').length, 1);
  assert.equal(server.requests.filter((r) => r.path === '/broken.bin').length, fastRetry.attempts);
});

test('wrong bytes give a checksum error and leave no file behind', async () => {
  const wrong = Buffer.from(payload);
  wrong[1000] = (wrong[1000] ?? 0) ^ 0xff;
  server.route('/wrong.bin', { body: wrong });
  const destination = path.join(folder, 'wrong.bin');
  await assert.rejects(downloadFile({ url: `${server.url}/wrong.bin`, destination, expectedSha256: payloadSha, retry: fastRetry }), isCode('model.checksum-mismatch'));
  assert.ok(!existsSync(destination));
  assert.ok(!existsSync(partPaths(destination).part));
  assert.ok(!existsSync(partPaths(destination).sidecar));
});

test('cancelling a slow download stops it at once and keeps the part for a later resume', async () => {
  server.route('/slow.bin', { body: payload, chunkBytes: 1024, chunkDelayMs: 50 });
  const destination = path.join(folder, 'slow.bin');
  const controller = new AbortController();
  let receivedAtCancel = 0;
  const cancelAfter2k = (p: DownloadProgress) => {
    if (p.receivedBytes <= 2048 || controller.signal.aborted) return;
    receivedAtCancel = p.receivedBytes;
    controller.abort();
  };
  await assert.rejects(downloadFile({ url: `${server.url}/slow.bin`, destination, signal: controller.signal, onProgress: cancelAfter2k, retry: fastRetry }), isCode('cancelled'));
  // Bytes, not milliseconds: the whole body would take minutes at 1 KB per 50 ms; "at once" means not one byte is
  // written after the cancel, and no retry asks for the rest.
  assert.ok(receivedAtCancel > 0 && receivedAtCancel < payload.length);
  assert.equal((await stat(partPaths(destination).part)).size, receivedAtCancel, 'the part holds what was received up to the cancel, and nothing after');
  assert.equal(server.requests.filter((r) => r.path === '/slow.bin').length, 1);
  await discardPartial(destination);
  assert.ok(!existsSync(partPaths(destination).part));
});

test('a refused token answers model.source-unauthorized; the right one is sent as a Bearer header and never shows in errors', async () => {
  server.route('/gated.bin', { body: payload.subarray(0, 1000), requireAuthorization: 'Bearer hf_secret' });
  await assert.rejects(downloadFile({ url: `${server.url}/gated.bin`, destination: path.join(folder, 'gated1.bin'), headers: { authorization: 'Bearer hf_wrong' }, retry: fastRetry }), (e: unknown) => {
    assert.ok(e instanceof StudioError && e.code === 'model.source-unauthorized');
    assert.doesNotMatch(`${e.userMessage} ${e.hint} ${e.stack}`, /hf_wrong/);
    return true;
  });
  const ok = await downloadFile({ url: `${server.url}/gated.bin`, destination: path.join(folder, 'gated2.bin'), headers: { authorization: 'Bearer hf_secret' }, retry: fastRetry });
  assert.equal(ok.sizeBytes, 1000);
});

test('the free-space check refuses a download larger than the disk before fetching anything', async () => {
  server.route('/huge.bin', { body: payload });
  const before = server.requests.length;
  await assert.rejects(
    downloadFile({ url: `${server.url}/huge.bin`, destination: path.join(folder, 'huge.bin'), expectedSizeBytes: 2 ** 60, retry: fastRetry }),
    isCode('model.no-space'),
  );
  assert.equal(server.requests.length, before);
});

test('HTTP_PROXY is honoured: the download goes through the proxy', async () => {
  server.route('/proxied.bin', { body: payload.subarray(0, 5000) });
  const seen: string[] = [];
  const proxy = createServer((req, res) => {
    // Plain forward proxy for http:// targets (absolute URI in the request line).
    seen.push(`GET ${req.url}`);
    const upstream = httpRequest(req.url!, { headers: req.headers, method: req.method }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    const dispatcher = proxyDispatcherFromEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: 'example.invalid' });
    const result = await downloadFile({ url: `${server.url}/proxied.bin`, destination: path.join(folder, 'proxied.bin'), dispatcher, retry: fastRetry });
    assert.equal(result.sizeBytes, 5000);
    assert.ok(seen.some((line) => line.includes(new URL(server.url).host)), `proxy saw: ${seen.join(', ')}`);
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});
