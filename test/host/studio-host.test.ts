// The host's door: token checks on every route, loopback only unless asked, and refusals of malformed traffic.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { composeStudio, rendererFolder } from '../../src-main/app/compose.ts';
import { startStudioHost, type StudioHost } from '../../src-main/app/host/studio-host.ts';
import { makeJpeg } from '../helpers/images.ts';
import { tempFolder } from '../helpers/temp-library.ts';

async function openHost(t: TestContext, host?: string): Promise<{ host: StudioHost; studio: ReturnType<typeof composeStudio> }> {
  const studio = composeStudio({ libraryFolder: tempFolder(t) });
  const started = await startStudioHost({ dispatch: studio.dispatch, events: studio.events, libraryFolder: studio.library.folder, rendererFolder, host });
  t.after(async () => {
    await started.close();
    studio.close();
  });
  return { host: started, studio };
}

/** A raw HTTP request (fetch would follow redirects and forbids setting Host). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

function webSocketStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });
}

test('answers 401 without the token or with a wrong one, on every route', async (t) => {
  const { host } = await openHost(t);
  const wrongSameLength = host.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  for (const authorization of [undefined, 'Bearer nope', `Bearer ${wrongSameLength}`, `Basic ${host.token}`]) {
    const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
    for (const [method, path] of [['POST', '/api/characters.list'], ['GET', '/'], ['GET', '/media/thumbnails/ab/x.webp']] as const) {
      const response = await rawRequest(`${host.origin}${path}`, { method, headers, body: method === 'POST' ? '{}' : undefined });
      assert.equal(response.status, 401, `${method} ${path} with ${authorization ?? 'no token'}`);
      assert.equal(JSON.parse(response.body).error.code, 'unauthorized');
    }
    assert.equal(await webSocketStatus(`${host.origin.replace('http', 'ws')}/events`, headers), 401);
  }
  assert.equal(await webSocketStatus(`${host.origin.replace('http', 'ws')}/events`, { Authorization: `Bearer ${host.token}` }), 101);
  // The query token is for the first page load only, never for the API.
  assert.equal((await rawRequest(`${host.origin}/api/characters.list?token=${host.token}`, { method: 'POST', body: '{}' })).status, 401);
});

test('the first page load trades ?token= for an HttpOnly cookie and drops it from the address', async (t) => {
  const { host } = await openHost(t);
  const first = await rawRequest(host.url);
  assert.equal(first.status, 303);
  assert.equal(first.headers.location, '/');
  const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
  assert.match(String(first.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  const api = await rawRequest(`${host.origin}/api/characters.list`, { method: 'POST', headers: { Cookie: cookie }, body: '{}' });
  assert.deepEqual(JSON.parse(api.body), { ok: true, value: { characters: [] } });
  assert.equal((await rawRequest(`${host.origin}/?token=wrong`)).status, 401);
});

test('listens on 127.0.0.1 only by default', async (t) => {
  const { host } = await openHost(t);
  assert.equal(host.host, '127.0.0.1');
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  const otherAddresses = Object.values(os.networkInterfaces()).flat().filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
  for (const address of otherAddresses) {
    await assert.rejects(rawRequest(`http://${address!.address}:${host.port}/`), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED', address!.address);
  }
});

test('listens on another interface only when asked', async (t) => {
  const { host } = await openHost(t, '0.0.0.0');
  assert.equal(host.host, '0.0.0.0');
  const response = await rawRequest(`http://127.0.0.1:${host.port}/api/characters.list`, { method: 'POST', headers: { Authorization: `Bearer ${host.token}` }, body: '{}' });
  assert.equal(response.status, 200);
});

test('refuses a foreign Host header (DNS rebinding) and a foreign Origin (other web pages)', async (t) => {
  const { host } = await openHost(t);
  const auth = { Authorization: `Bearer ${host.token}` };
  const rebound = await rawRequest(`${host.origin}/api/characters.list`, { method: 'POST', headers: { ...auth, Host: `evil.example:${host.port}` }, body: '{}' });
  assert.equal(rebound.status, 421);
  const crossSite = await rawRequest(`${host.origin}/api/characters.create`, { method: 'POST', headers: { ...auth, Origin: 'https://evil.example' }, body: '{"name":"x"}' });
  assert.equal(crossSite.status, 403);
  const sameSite = await rawRequest(`${host.origin}/api/characters.list`, { method: 'POST', headers: { ...auth, Origin: host.origin }, body: '{}' });
  assert.equal(sameSite.status, 200);
});

test('refuses malformed API traffic with a typed error', async (t) => {
  const { host } = await openHost(t);
  const auth = { Authorization: `Bearer ${host.token}` };
  const badJson = await rawRequest(`${host.origin}/api/characters.create`, { method: 'POST', headers: auth, body: '{"name":' });
  assert.equal(badJson.status, 400);
  assert.equal(JSON.parse(badJson.body).error.code, 'invalid-request');
  assert.equal((await rawRequest(`${host.origin}/api/characters.list`, { headers: auth })).status, 405);
  const unknown = JSON.parse((await rawRequest(`${host.origin}/api/characters.explode`, { method: 'POST', headers: auth, body: '{}' })).body);
  assert.equal(unknown.error.code, 'not-found');
  const tooLarge = await rawRequest(`${host.origin}/api/characters.create`, { method: 'POST', headers: { ...auth, 'Content-Length': String(200 * 1024 * 1024) }, body: '' });
  assert.equal(tooLarge.status, 413);
});

test('serves library media by media path only, never outside the library', async (t) => {
  const { host, studio } = await openHost(t);
  const auth = { Authorization: `Bearer ${host.token}` };
  const ada = studio.library.characters.create({ name: 'Ada', notes: '' });
  const reference = await studio.library.addReference(ada.id, 'ada.jpg', await makeJpeg());
  const thumbnail = await rawRequest(`${host.origin}/media/${reference.thumbnail}`, { headers: auth });
  assert.equal(thumbnail.status, 200);
  assert.equal(thumbnail.headers['content-type'], 'image/webp');
  // Some of these normalize to a non-media path and get the app's index page; none may reach the file.
  for (const path of ['/media/../library.sqlite', '/media/%2e%2e/library.sqlite', '/media/thumbnails/%2e%2e/%2e%2e/library.sqlite', '/media/references/../../etc/passwd', '/media/library.sqlite', '/library.sqlite']) {
    const response = await rawRequest(`${host.origin}${path}`, { headers: auth });
    assert.ok(!response.body.startsWith('SQLite format 3') && !response.body.includes('root:'), path);
    assert.notEqual(response.headers['content-type'], 'application/octet-stream', path);
  }
  // An encoded slash survives URL normalization and reaches the media check, which refuses it.
  assert.equal((await rawRequest(`${host.origin}/media/thumbnails%2F..%2F..%2Flibrary.sqlite`, { headers: auth })).status, 404);
});
