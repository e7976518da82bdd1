// `faceid generate --faceid ADAPTER --character NAME_OR_ID` with a real studio library (FACEID_STUDIO_HOME).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { facePhotoPng, faceModelsFolder } from '../../test/helpers/face-fixtures.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { Library } from '../library/library.ts';
import { main } from './faceid.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-character-'));
const studioHome = path.join(work, 'studio');
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
process.env['FACEID_STUDIO_HOME'] = studioHome;
before(async () => {
  const library = new Library(studioHome);
  const character = library.characters.create({ name: 'Ada Lovelace', notes: '' });
  await library.addReference(character.id, 'ada.png', await facePhotoPng());
  library.close();
});
after(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(['generate', ...args], { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

const base = ['--model', fixture('sd15-tiny'), '--prompt', 'a photo of a woman', '--steps', '2', '--size', '64x64', '--seed', '3', '--face-models', faceModelsFolder(), '--faceid', fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin')];

test('--character by name (any case) uses the library character\'s faces; the PNG records FaceID', async () => {
  const out = path.join(work, 'out');
  const result = await cli([...base, '--character', 'ada lovelace', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /FaceID from character "Ada Lovelace" \(1 photo\)/u);
  const png = readFileSync(path.join(out, readdirSync(out)[0]!));
  assert.match(readPngTexts(png).parameters ?? '', /FaceID model: ip-adapter-faceid_sd15_tiny,/u);
});

test('an unknown character, or --character with --face, is a clear error', async () => {
  const unknown = await cli([...base, '--character', 'Grace', '--out', path.join(work, 'none')]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /no character "Grace"[\s\S]*Ada Lovelace/u);
  const both = await cli([...base, '--character', 'Ada Lovelace', '--face', 'x.png', '--out', path.join(work, 'none')]);
  assert.notEqual(both.code, 0);
  assert.match(both.stderr, /either --face/u);
});
