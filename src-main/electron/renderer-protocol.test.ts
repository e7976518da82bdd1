import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serveRendererRequest } from './renderer-protocol.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

const sandbox = mkdtempSync(path.join(os.tmpdir(), 'faceid-renderer-'));
const renderer = path.join(sandbox, 'renderer');

before(async () => {
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(path.join(renderer, 'assets/index-abc.js'), 'console.log(1)');
  await writeFile(path.join(sandbox, 'secret.txt'), 'outside');
});
after(() => rm(sandbox, { recursive: true, force: true }));

const get = (url: string) => serveRendererRequest(renderer, new Request(url), CONTENT_SECURITY_POLICY);

test('the page and its scripts are served with the CSP header and their types', async () => {
  for (const [url, type] of [
    ['studio-app://renderer/', 'text/html; charset=utf-8'],
    ['studio-app://renderer/index.html', 'text/html; charset=utf-8'],
    ['studio-app://renderer/assets/index-abc.js?v=1', 'text/javascript; charset=utf-8'],
  ] as const) {
    const response = await get(url);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get('content-type'), type);
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  }
  assert.match(await (await get('studio-app://renderer/')).text(), /id="root"/);
});

test('nothing outside the renderer folder or on another host is served', async () => {
  for (const url of ['studio-app://renderer/../secret.txt', 'studio-app://renderer/%2e%2e/secret.txt', 'studio-app://renderer/..%2fsecret.txt', 'studio-app://other/index.html', 'studio-app://renderer/missing.js']) {
    const response = await serveRendererRequest(renderer, { url, method: 'GET' } as Request, CONTENT_SECURITY_POLICY);
    assert.notEqual(response.status, 200, url);
  }
  const post = await serveRendererRequest(renderer, new Request('studio-app://renderer/index.html', { method: 'POST' }), CONTENT_SECURITY_POLICY);
  assert.equal(post.status, 405);
});
