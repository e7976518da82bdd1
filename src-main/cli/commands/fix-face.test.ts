// `faceid fix-face`: the face detail pass on an existing photo with the tiny SD1.5 model, the tiny FaceID adapter and
// the stand-in face models (whose detector finds the faces of the e2e photo).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { facePhotoPng, faceModelsFolder } from '../../../test/helpers/face-fixtures.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-fix-face-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
const photo = path.join(work, 'group.png');
before(async () => writeFileSync(photo, await facePhotoPng()));
after(() => rmSync(work, { recursive: true, force: true }));

const base = () => [
  'fix-face', photo, '--model', fixture('sd15-tiny'), '--faceid', fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), '--face', photo,
  '--face-models', faceModelsFolder(), '--prompt', 'a photo of people', '--steps', '2', '--seed', '3', '--face-detail-size', '64', '--face-detail-min-size', '0', '--json',
];

test('fix-face repaints every face of a photo into <name>-fixed.png at the photo\'s size', async () => {
  const out = path.join(work, 'fixed');
  const result = await runCli([...base(), '--face-detail-faces', 'all', '--face-detail-strength', '0.6', '--no-identity-check', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { fixed: string | null; faces: number };
  assert.equal(report.fixed, path.join(out, 'group-fixed.png'));
  assert.ok(report.faces >= 2, `${report.faces} faces repainted`);
  const [input, output] = await Promise.all([sharp(photo).raw().toBuffer({ resolveWithObject: true }), sharp(report.fixed!).raw().toBuffer({ resolveWithObject: true })]);
  assert.deepEqual([output.info.width, output.info.height], [input.info.width, input.info.height]);
  assert.notDeepEqual(output.data, input.data);
  assert.match(result.stderr, /face-detail/u, 'the progress names the face pass');
});

test('with the identity check, the photo is fixed only when the repaint is at least as like the person', async () => {
  const out = path.join(work, 'checked');
  const result = await runCli([...base(), '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { fixed: string | null; notes: string[] };
  const lowered = report.notes.some((n) => n.includes('lowered the identity score'));
  assert.equal(report.fixed === null, lowered, JSON.stringify(report));
  assert.equal(existsSync(path.join(out, 'group-fixed.png')), !lowered);
});

test('fix-face without FaceID or on a file that is no image is refused with its reason', async () => {
  const noFaceId = await runCli(['fix-face', photo, '--model', fixture('sd15-tiny')]);
  assert.equal(noFaceId.code, 1);
  assert.match(noFaceId.stderr, /--faceid ADAPTER with --character NAME/u);
  const notImage = path.join(work, 'note.txt');
  writeFileSync(notImage, 'hello');
  const bad = await runCli(['fix-face', notImage, '--model', fixture('sd15-tiny'), '--faceid', 'a.bin', '--face', photo]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not an image/u);
  assert.ok(readFileSync(photo).length > 0);
});
