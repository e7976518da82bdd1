import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { electronMediaUrl } from '../../src-preload/contract/media.ts';
import { resolveLibraryRequest, serveLibraryRequest } from './library-protocol.ts';

// A real library folder with a real image, a secret file beside it and symlinks pointing in and out.
const sandbox = mkdtempSync(path.join(os.tmpdir(), 'faceid-protocol-'));
const library = path.join(sandbox, 'library');
let imageBytes: Buffer;

before(async () => {
  await mkdir(path.join(library, 'references/ab'), { recursive: true });
  await mkdir(path.join(library, 'thumbnails/cd'), { recursive: true });
  imageBytes = await sharp({ create: { width: 12, height: 8, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
  await writeFile(path.join(library, 'references/ab/photo.png'), imageBytes);
  await writeFile(path.join(library, 'references/ab/with space.png'), imageBytes);
  await mkdir(path.join(library, 'notes'));
  await writeFile(path.join(library, 'notes/photo.png'), imageBytes);
  await writeFile(path.join(library, 'library.sqlite'), 'database');
  await writeFile(path.join(sandbox, 'secret.png'), 'outside the library');
  await writeFile(path.join(sandbox, 'passwd'), 'root:x:0:0');
  await symlink(path.join(sandbox, 'secret.png'), path.join(library, 'thumbnails/cd/escape.png'));
  await symlink(sandbox, path.join(library, 'thumbnails/cd/escape-dir'));
  await symlink(path.join(library, 'references/ab/photo.png'), path.join(library, 'thumbnails/cd/inside.png'));
});

after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

const url = (tail: string): string => `studio-media://library/${tail}`;

test('serves a library image whose bytes decode to the stored picture', async () => {
  const response = await serveLibraryRequest(library, new Request(url('references/ab/photo.png')));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const body = Buffer.from(await response.arrayBuffer());
  assert.deepEqual(body, imageBytes);
  const meta = await sharp(body).metadata();
  assert.equal(meta.width, 12);
  assert.equal(meta.height, 8);
});

test('serves the URLs the contract makes, ignores the query, and follows a symlink that stays inside', async () => {
  for (const address of [electronMediaUrl('references/ab/photo.png'), url('references/ab/photo.png?v=2#x'), url('thumbnails/cd/inside.png')]) {
    const result = await resolveLibraryRequest(library, address);
    assert.equal(result.ok, true, address);
  }
});

test('HEAD answers without a body; other methods are refused', async () => {
  const head = await serveLibraryRequest(library, new Request(url('references/ab/photo.png'), { method: 'HEAD' }));
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const post = await resolveLibraryRequest(library, url('references/ab/photo.png'), 'POST');
  assert.deepEqual(post.ok ? 'served' : post.status, 405);
});

const traversalAttempts: Array<[string, string]> = [
  ['plain ..', url('../secret.png')],
  ['.. in the middle', url('references/../../secret.png')],
  ['encoded dots', url('%2e%2e/secret.png')],
  ['upper-case encoded dots', url('%2E%2E/secret.png')],
  ['mixed encoded dot', url('.%2e/secret.png')],
  ['encoded slash', url('..%2fsecret.png')],
  ['encoded slash inside a segment', url('references%2f..%2f..%2fsecret.png')],
  ['double-encoded dots', url('%252e%252e/secret.png')],
  ['backslash', url('..\\secret.png')],
  ['encoded backslash', url('..%5csecret.png')],
  ['absolute path via empty segment', url(`/${path.join(sandbox, 'secret.png').slice(1)}`)],
  ['absolute path encoded', url(encodeURIComponent(path.join(sandbox, 'secret.png')))],
  ['drive letter', url('C:/Windows/win.ini.png')],
  ['NUL byte', url('references/ab/photo.png%00.png')],
  ['single dot segment', url('./references/ab/photo.png')],
  ['malformed escape', url('references/ab/%E0%A4%A.png')],
  ['symlinked file pointing out', url('thumbnails/cd/escape.png')],
  ['symlinked folder pointing out', url('thumbnails/cd/escape-dir/secret.png')],
  ['wrong host', 'studio-media://elsewhere/references/ab/photo.png'],
  ['no host', `studio-media:///${path.join(sandbox, 'secret.png')}`],
  ['other scheme', `file://${path.join(sandbox, 'secret.png')}`],
];

for (const [name, attempt] of traversalAttempts) {
  test(`refuses traversal: ${name}`, async () => {
    const result = await resolveLibraryRequest(library, attempt);
    assert.equal(result.ok, false, `${attempt} was served`);
    // Through a fetch Request the URL is WHATWG-normalised first (as in Electron): whatever that makes of
    // the attempt, nothing from outside the library may come back.
    const response = await serveLibraryRequest(library, new Request(attempt));
    const body = Buffer.from(await response.arrayBuffer()).toString('latin1');
    assert.ok(!body.includes('outside the library') && !body.includes('root:x'), `${attempt} leaked a file`);
  });
}

test('never serves what is not a media path, even inside the library', async () => {
  for (const tail of ['library.sqlite', 'references/ab', 'references/ab/', 'notes/photo.png', 'references/ab/with%20space.png']) {
    const result = await resolveLibraryRequest(library, url(tail));
    assert.equal(result.ok, false, tail);
  }
});

test('answers 404 for a missing image and names the reason to the log only', async () => {
  const refused: string[] = [];
  const response = await serveLibraryRequest(library, new Request(url('references/ab/missing.png')), (_url, reason) => refused.push(reason));
  assert.equal(response.status, 404);
  assert.deepEqual(refused, ['no such file']);
});
