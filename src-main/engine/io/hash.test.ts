import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { FileHashCache } from './hash.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faceid-hash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('Model hash is the first 10 hex digits of the file\'s sha256, hashed once and then read from the cache', async (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'sd15-tiny.safetensors');
  copyFileSync(fixture('sd15-tiny.safetensors'), model);
  const cacheFile = path.join(dir, 'cache', 'file-hashes.json');
  const expected = sha256(readFileSync(model)).slice(0, 10);
  assert.equal(await new FileHashCache(cacheFile).modelHash(model), expected);

  // A new cache (a new engine start) answers from the file: prove it by planting a different value for the same size and time.
  const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, { sha256: string }>;
  const key = Object.keys(cached)[0]!;
  writeFileSync(cacheFile, JSON.stringify({ [key]: { ...cached[key], sha256: 'f'.repeat(64) } }));
  assert.equal(await new FileHashCache(cacheFile).modelHash(model), 'ffffffffff');

  // A file changed since (another modification time) is hashed again, and is no longer found by its old hash.
  utimesSync(model, new Date(), new Date(Date.now() + 5000));
  assert.equal(await new FileHashCache(cacheFile).fileWithModelHash('ffffffffff'), undefined);
  assert.equal(await new FileHashCache(cacheFile).modelHash(model), expected);
  assert.equal(await new FileHashCache(cacheFile).fileWithModelHash(expected.toUpperCase()), path.resolve(model), 'a dropped picture\'s Model hash finds the file');
  assert.equal(await new FileHashCache(path.join(dir, 'none.json')).fileWithModelHash(expected), undefined);
});

test('LoRA hash: 12 hex digits of the sha256 of a .safetensors file\'s tensor data, after its header (A1111\'s addnet hash)', async (t) => {
  const lora = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors');
  const bytes = readFileSync(lora);
  const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
  const hashes = new FileHashCache(path.join(tempDir(t), 'file-hashes.json'));
  assert.equal(await hashes.loraHash(lora), sha256(bytes.subarray(dataStart)).slice(0, 12));
  const bin = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin');
  assert.equal(await hashes.loraHash(bin), sha256(readFileSync(bin)).slice(0, 12), 'other formats: the whole file');
});
