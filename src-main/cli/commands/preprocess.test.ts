// `faceid preprocess canny`: the fixture photo's edges equal OpenCV's (the golden PNG, R = G = B); bad input refused.
// `faceid preprocess openpose` through the tiny DWPose stand-ins: the map poseMap makes, or black with a note.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { openPoseSessions, poseMap, releasePoseSessions } from '../../engine/control/pose/index.ts';
import { SeededRandom } from '../../models/selftest/seeded-random.ts';
import { buildTinyPoseModels, drawPosePicture, POSE_PICTURE_HEIGHT, POSE_PICTURE_WIDTH } from '../../models/selftest/tiny-pose-models.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { buildTinyDepthModel } from '../../models/selftest/tiny-depth-model.ts';
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
  const normal = await runCli(['preprocess', 'normal', photo, '--out', path.join(work, 'd.png')]);
  assert.equal(normal.code, 1);
  assert.match(normal.stderr, /Unknown preprocessor "normal": this version runs canny, openpose, depth/u);
  const depth = await runCli(['preprocess', 'depth', photo, '--out', path.join(work, 'd.png')]);
  assert.match(depth.stderr, /depth needs the Depth Anything V2 model: --model FILE\.onnx/u);
  const text = path.join(work, 'notes.png');
  writeFileSync(text, 'not a picture');
  const notImage = await runCli(['preprocess', 'canny', text, '--out', path.join(work, 'n.png')]);
  assert.equal(notImage.code, 1);
  assert.match(notImage.stderr, /notes\.png is not an image format FaceID Studio can read/u);
  const bad = await runCli(['preprocess', 'canny', photo, '--out', path.join(work, 'b.png'), '--low', 'x']);
  assert.match(bad.stderr, /--low must be a number/u);
});

test('openpose with the tiny DWPose stand-ins writes the person\'s OpenPose map, or a black one with a note when nobody is there', async () => {
  const models = buildTinyPoseModels(11);
  const detector = path.join(work, 'yolox_l.onnx');
  const pose = path.join(work, 'dw-ll_ucoco_384.onnx');
  writeFileSync(detector, models.detector);
  writeFileSync(pose, models.pose);
  const raw = { raw: { width: POSE_PICTURE_WIDTH, height: POSE_PICTURE_HEIGHT, channels: 3 as const } };
  const personPhoto = path.join(work, 'person.png');
  await sharp(Buffer.from(drawPosePicture(new SeededRandom(5), true)), raw).png().toFile(personPhoto);
  const out = path.join(work, 'pose.png');
  const result = await runCli(['preprocess', 'openpose', personPhoto, '--out', out, '--detector', detector, '--pose', pose, '--hands', '--face']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /480×640, OpenPose body \+ hands \+ face, 1 person\n$/u);
  const written = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  const sessions = await openPoseSessions(detector, pose);
  try {
    const expected = await poseMap(drawPosePicture(new SeededRandom(5), true), POSE_PICTURE_WIDTH, POSE_PICTURE_HEIGHT, sessions, { hands: true, face: true });
    assert.equal(Buffer.compare(written.data, Buffer.from(expected.map)), 0);
  } finally {
    await releasePoseSessions(sessions);
  }

  const emptyPhoto = path.join(work, 'room.png');
  await sharp(Buffer.from(drawPosePicture(new SeededRandom(5), false)), raw).png().toFile(emptyPhoto);
  const empty = await runCli(['preprocess', 'openpose', emptyPhoto, '--out', path.join(work, 'empty.png'), '--detector', detector, '--pose', pose]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /OpenPose body, 0 people\nNote: No person was found in the picture, so the pose map is black/u);
  const black = await sharp(path.join(work, 'empty.png')).raw().toBuffer();
  assert.ok(black.every((v) => v === 0));

  const noModels = await runCli(['preprocess', 'openpose', personPhoto, '--out', out]);
  assert.equal(noModels.code, 1);
  assert.match(noModels.stderr, /openpose needs both DWPose models: --detector yolox_l\.onnx and --pose dw-ll_ucoco_384\.onnx/u);
});

test('preprocess depth writes the Depth Anything map of the picture through the model given (a stand-in with its interface)', async () => {
  const model = path.join(work, 'depth_anything_v2_small.onnx');
  writeFileSync(model, buildTinyDepthModel(3));
  const out = path.join(work, 'depth.png');
  const result = await runCli(['preprocess', 'depth', fixture('control', 'control_images', 'photo_128.png'), '--out', out, '--model', model]);
  assert.equal(result.code, 0, result.stderr);
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [128, 128]);
  const grey = [...data].filter((_, i) => i % info.channels === 0);
  assert.deepEqual([Math.min(...grey), Math.max(...grey)], [0, 255], 'min–max normalised');
  assert.ok([...data].every((v, i) => v === data[i - (i % info.channels)]), 'grey: R = G = B');
});
