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

