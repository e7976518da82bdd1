// control.saveImage stores a dropped picture in the library (as PNG, once); control.preview gives the Canny map the
// ControlNet will see at the generation's size (OpenCV's edges for the fixture photo at its own size); bad pictures
// are refused by name and nothing is stored.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { composeStudio } from '../compose.ts';

test('a control picture is stored once as PNG; its Canny preview is OpenCV\'s map; a non-picture is refused by name, nothing stored', async (t) => {
  const folder = tempFolder(t);
  const studio = composeStudio({ libraryFolder: folder });
  t.after(() => studio.close());
  const photo = readFileSync(fixture('control', 'control_images', 'photo_128.png'));
  const first = await studio.dispatch('control.saveImage', { fileName: 'pose.png', dataBase64: photo.toString('base64') });
  const again = await studio.dispatch('control.saveImage', { fileName: 'pose-copy.png', dataBase64: photo.toString('base64') });
  assert.ok(first.ok && again.ok, JSON.stringify(first));
  const saved = first.value as { image: string; width: number; height: number };
  assert.equal(saved.image, (again.value as { image: string }).image, 'the same picture is stored once');
  assert.deepEqual([saved.width, saved.height], [128, 128]);
  assert.ok(existsSync(path.join(folder, saved.image)));

  const preview = await studio.dispatch('control.preview', { image: saved.image, preprocess: 'canny', width: 128, height: 128 });
  assert.ok(preview.ok, JSON.stringify(preview));
  const ours = await sharp(path.join(folder, (preview.value as { map: string }).map)).raw().toBuffer();
  const opencv = await sharp(fixture('control', 'control_images', 'canny_100_200_128.png')).raw().toBuffer();
  assert.equal(Buffer.compare(ours, opencv), 0, 'the map is cv2.Canny(photo, 100, 200)');

  const before = readdirSync(path.join(folder, 'control'), { recursive: true }).length;
  const refused = await studio.dispatch('control.saveImage', { fileName: 'notes.txt', dataBase64: Buffer.from('not a picture').toString('base64') });
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error.userMessage, /notes\.txt is not an image format FaceID Studio can read/u);
  assert.equal(readdirSync(path.join(folder, 'control'), { recursive: true }).length, before);
  const outside = await studio.dispatch('control.preview', { image: '../secret.png', preprocess: 'none', width: 64, height: 64 });
  assert.equal(outside.ok, false);
});
