// `faceid preprocess canny`: the fixture photo's edges equal OpenCV's (the golden PNG, R = G = B); bad input refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-preprocess-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('canny of the control photo is OpenCV\'s canny PNG, pixel for pixel, in RGB', async () => {
  const out = path.join(work, 'edges.png');
  const result = await runCli(['preprocess', 'canny', fixture('control', 'control_images', 'photo_128.png'), '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /128×128, Canny 100\/200, \d+\.\d % edge pixels/u);
  const ours = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  const opencv = await sharp(fixture('control', 'control_images', 'canny_100_200_128.png')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([ours.info.width, ours.info.height, ours.info.channels], [128, 128, 3]);
  assert.equal(Buffer.compare(ours.data, opencv.data.subarray(0, ours.data.length)), 0);
});

test('an unknown preprocessor, a file that is not an image and a bad threshold are refused with the reason', async () => {
  const photo = fixture('control', 'control_images', 'photo_128.png');
  const depth = await runCli(['preprocess', 'depth', photo, '--out', path.join(work, 'd.png')]);
  assert.equal(depth.code, 1);
  assert.match(depth.stderr, /Unknown preprocessor "depth": this version runs canny/u);
  const text = path.join(work, 'notes.png');
  writeFileSync(text, 'not a picture');
  const notImage = await runCli(['preprocess', 'canny', text, '--out', path.join(work, 'n.png')]);
  assert.equal(notImage.code, 1);
  assert.match(notImage.stderr, /notes\.png is not an image format FaceID Studio can read/u);
  const bad = await runCli(['preprocess', 'canny', photo, '--out', path.join(work, 'b.png'), '--low', 'x']);
  assert.match(bad.stderr, /--low must be a number/u);
});
