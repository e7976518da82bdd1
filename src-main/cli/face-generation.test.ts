// `faceid generate --faceid ADAPTER --face IMG`: the tiny SD1.5 model with the tiny FaceID adapter, from a photo.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { facePhotoPng, faceModelsFolder } from '../../test/helpers/face-fixtures.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { runCli, type CliResult } from '../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-face-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
const photo = path.join(work, 'person.png');
before(async () => writeFileSync(photo, await facePhotoPng()));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): Promise<CliResult> {
  return runCli(['generate', ...args]);
}

const base = ['--model', fixture('sd15-tiny'), '--prompt', 'a photo of a woman', '--steps', '2', '--size', '64x64', '--seed', '7', '--face-models', faceModelsFolder()];
const adapter = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin');

test('FaceID from a photo: the reference verdict is shown and the PNG records the FaceID settings', async () => {
  const out = path.join(work, 'faceid');
  const result = await cli([...base, '--faceid', adapter, '--face', photo, '--face-weight', '0.9', '--lora-weight', '0.5', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /person\.png: /);
  const png = readFileSync(path.join(out, readdirSync(out)[0]!));
  const parameters = readPngTexts(png).parameters ?? '';
  assert.match(parameters, /FaceID model: ip-adapter-faceid_sd15_tiny,/);
  assert.match(parameters.split('\n')[0]!, / <lora:ip-adapter-faceid_sd15_tiny_lora:0\.5>$/u, 'the FaceID LoRA as A1111 users write it');
  assert.match(parameters, /FaceID weight: 0\.9/);
});

test('--face without --faceid, and --faceid without --face, are refused before any work', async () => {
  const noAdapter = await cli([...base, '--face', photo, '--out', path.join(work, 'x')]);
  assert.equal(noAdapter.code, 1);
  assert.match(noAdapter.stderr, /--face needs --faceid/);
  const noFace = await cli([...base, '--faceid', adapter, '--out', path.join(work, 'y')]);
  assert.equal(noFace.code, 1);
  assert.match(noFace.stderr, /--faceid needs at least one --face/);
});


test('--best-of 3 --keep 1 --keep-rejected: three seeds ranked by identity score, the rejected two named so', async () => {
  const out = path.join(work, 'best-of');
  const result = await cli([...base, '--faceid', adapter, '--face', photo, '--best-of', '3', '--keep', '1', '--keep-rejected', '--json', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Best 1 of 3 by identity score kept/u);
  const summary = JSON.parse(result.stdout) as { images: { file: string; seed: number; rank: number; identityScore: number | null }[] };
  assert.deepEqual(summary.images.map((i) => i.rank), [1, 2, 3]);
  assert.deepEqual(summary.images.map((i) => i.seed).sort(), [7, 8, 9]);
  assert.deepEqual(summary.images.map((i) => path.basename(i.file).includes('-rejected')), [false, true, true]);
  const scores = summary.images.map((i) => i.identityScore ?? -Infinity);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'ranked best first');
});

test('--face-detail: a face below the minimum size is left alone and the run says so; above it, the face is repainted', async () => {
  const out = path.join(work, 'face-detail');
  // The tiny detector finds a small face in the tiny model's 64×64 picture.
  const skipped = await cli([...base, '--faceid', adapter, '--face', photo, '--face-detail', '--face-detail-size', '64', '--out', out]);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stderr, /smaller than 24 px, so the face detail pass was skipped\./u);
  assert.deepEqual(readdirSync(out), ['00000-7.png']);
  assert.match(readPngTexts(readFileSync(path.join(out, '00000-7.png'))).parameters ?? '', /Face detail: largest, Face detail strength: 0\.4/u);

  const repainted = await cli([...base, '--faceid', adapter, '--face', photo, '--face-detail', '--face-detail-size', '64', '--face-detail-min-size', '0', '--face-detail-strength', '0.6', '--no-identity-check', '--out', out]);
  assert.equal(repainted.code, 0, repainted.stderr);
  assert.match(repainted.stderr, /face-detail 100%/u, 'the progress names the face pass');
  assert.deepEqual(readdirSync(out).sort(), ['00000-7.png', '00001-7-before.png', '00001-7.png']);
  const after = readFileSync(path.join(out, '00001-7.png'));
  const before = readFileSync(path.join(out, '00001-7-before.png'));
  assert.notDeepEqual(after, before);
  assert.doesNotMatch(readPngTexts(before).parameters ?? '', /Face detail/u);
});

test('--keep without --best-of, --face-detail-strength without --face-detail, and best-of without FaceID are refused', async () => {
  for (const [args, message] of [
    [['--keep', '2'], /--keep needs --best-of/u],
    [['--face-detail-strength', '0.3'], /--face-detail-strength needs --face-detail/u],
    [['--best-of', '3'], /--best-of works with the character's FaceID/u],
    [['--faceid', adapter, '--face', photo, '--best-of', '2', '--keep', '3'], /Best of 2 cannot keep 3/u],
  ] as const) {
    const result = await cli([...base, ...args, '--out', path.join(work, 'never')]);
    assert.equal(result.code, 1, args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
  }
});
