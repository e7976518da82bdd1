// `faceid score`: the face photo against a character made from itself, a faceless image, and an embed JSON reference.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { runCli, type CliResult } from '../../../test/helpers/run-cli.ts';

let folder = '';
let face = '';
let blank = '';
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'faceid-score-'));
  face = path.join(folder, 'face.png');
  blank = path.join(folder, 'blank.png');
  await writeFile(face, await facePhotoPng());
  await writeFile(blank, await sharp({ create: { width: 200, height: 200, channels: 3, background: '#707070' } }).png().toBuffer());
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

function run(args: string[]): Promise<CliResult> {
  return runCli([...args, '--face-models', faceModelsFolder()]);
}

test('an image scores 1 against a character made from it; a faceless image is "no face", not 0', async () => {
  const { code, stdout } = await run(['score', '--character', face, face, blank, '--json']);
  assert.equal(code, 0);
  const results = JSON.parse(stdout) as { file: string; score: { kind: string; score?: number } }[];
  assert.equal(results[0]!.score.kind, 'face');
  assert.ok(Math.abs(results[0]!.score.score! - 1) < 1e-5);
  assert.deepEqual(results[1]!.score, { kind: 'no-face' });
});

test('the JSON of faceid embed works as a character reference', async () => {
  const embedded = await run(['embed', '--json', face]);
  const json = path.join(folder, 'character.json');
  await writeFile(json, embedded.stdout);
  const { code, stdout } = await run(['score', '--character', json, face]);
  assert.equal(code, 0);
  assert.match(stdout, /face\.png: 1\.000 \(face \d+\)/);
});

test('a character whose references have no face is a typed error', async () => {
  const { code, stderr } = await run(['score', '--character', blank, face]);
  assert.equal(code, 1);
  assert.match(stderr, /no reference with a usable face/);
});

test('a usage error names the command once and shows the usage', async () => {
  const { code, stderr } = await runCli(['score']);
  assert.equal(code, 1);
  assert.match(stderr, /^faceid score: Give at least one --character reference/);
  assert.doesNotMatch(stderr, /faceid score: faceid score/);
  assert.match(stderr, /Usage: faceid score --character REF/);
  const unknownOption = await runCli(['score', '--bogus']);
  assert.match(unknownOption.stderr, /^faceid score: Unknown option '--bogus'/);
});
