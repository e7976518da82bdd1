// `faceid generate` with the tiny SDXL (diffusers folder) and the tiny SDXL FaceID adapter, from a photo: A1111
// parameters in the PNG, SDXL size conditioning from the command line, and an adapter of the other base refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { recallInfotext } from '../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { facePhotoPng, faceModelsFolder } from '../../test/helpers/face-fixtures.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { runCli } from '../../test/helpers/run-cli.ts';
import { paramsFromArgs } from './commands/generate.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-sdxl-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
const photo = path.join(work, 'person.png');
before(async () => writeFileSync(photo, await facePhotoPng()));
after(() => rmSync(work, { recursive: true, force: true }));

const model = fixture('sdxl', 'sdxl-tiny');
const adapter = fixture('sdxl', 'ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin');
const base = ['generate', '--model', model, '--prompt', 'a photo of a woman', '--steps', '2', '--size', '64x64', '--seed', '7', '--face-models', faceModelsFolder(), '--faceid', adapter, '--face', photo];

function onlyPng(out: string): Buffer {
  return readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.png'))!));
}

test('SDXL FaceID from a photo writes a PNG with A1111 parameters; the size conditioning is used and recorded', async () => {
  const plain = path.join(work, 'plain');
  const first = await runCli([...base, '--out', plain, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const parameters = readPngTexts(onlyPng(plain)).parameters ?? '';
  assert.match(parameters, /FaceID model: ip-adapter-faceid_sdxl_tiny,/u);
  const recalled = recallInfotext(parameters);
  assert.deepEqual(recalled.params, { prompt: 'a photo of a woman', negativePrompt: '', steps: 2, sampler: 'Euler a', cfg: 7, seed: 7, width: 64, height: 64, clipSkip: 1 });
  assert.equal(recalled.faceid?.adapterName, 'ip-adapter-faceid_sdxl_tiny');

  const cropped = path.join(work, 'cropped');
  const second = await runCli([...base, '--original-size', '80x96', '--crop', '8x4', '--out', cropped, '--json']);
  assert.equal(second.code, 0, second.stderr);
  const json = JSON.parse(readFileSync(path.join(cropped, readdirSync(cropped).find((f) => f.endsWith('.json'))!), 'utf8')) as { sizeConditioning?: unknown };
  assert.deepEqual(json.sizeConditioning, { originalWidth: 80, originalHeight: 96, cropTop: 8, cropLeft: 4 });
  assert.notDeepEqual(onlyPng(cropped), onlyPng(plain), 'another original size and crop change the picture');
});

test('the SDXL single file (with the tiny model\'s configs, which its weights cannot give) makes the same FaceID picture as the diffusers folder', async () => {
  const folderOut = path.join(work, 'from-folder');
  const fileOut = path.join(work, 'from-file');
  const fromFolder = await runCli([...base, '--out', folderOut]);
  assert.equal(fromFolder.code, 0, fromFolder.stderr);
  const single = base.map((arg) => (arg === model ? fixture('sdxl', 'sdxl-tiny.safetensors') : arg));
  const fromFile = await runCli([...single, '--configs', model, '--out', fileOut]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(readPngTexts(onlyPng(fileOut)).parameters ?? '', /Model: sdxl-tiny, .*FaceID model: ip-adapter-faceid_sdxl_tiny,/u);
  // Both layouts hold bit-equal weights (fixtures README), so the decoded pixels are the same.
  const pixels = async (png: Buffer) => (await sharp(png).raw().toBuffer()).toString('base64');
  assert.equal(await pixels(onlyPng(fileOut)), await pixels(onlyPng(folderOut)));
});

test('an SD1.5 FaceID adapter with an SDXL checkpoint is refused with the reason', async () => {
  const sd15Adapter = fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin');
  const result = await runCli([...base.slice(0, base.indexOf('--faceid')), '--faceid', sd15Adapter, '--face', photo, '--out', path.join(work, 'never')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /IP-Adapter for .*but the checkpoint is/u);
});

test('size options: the model\'s trained size by default, WxH pairs for SDXL size conditioning, bad pairs refused', () => {
  const values = { model: model, prompt: 'x' };
  assert.deepEqual([paramsFromArgs(values, 1024).width, paramsFromArgs(values, 1024).height], [1024, 1024]);
  assert.equal(paramsFromArgs(values).sizeConditioning, undefined);
  assert.deepEqual(paramsFromArgs({ ...values, 'target-size': '832x1216' }).sizeConditioning, { targetWidth: 832, targetHeight: 1216 });
  assert.throws(() => paramsFromArgs({ ...values, crop: '8,4' }), /--crop must look like 0x0/u);
});
