// The whole pose preprocessor through real onnxruntime sessions of the tiny DWPose stand-ins: the badge-wearing
// person is found with the designed box, every keypoint lands where the stand-in puts it, the map is that person
// drawn (the same bytes every run), parts switch hands and face on and off, and a picture without a person gives a
// black map with a note. Wrong model files are refused by their shapes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SeededRandom } from '../../../models/selftest/seeded-random.ts';
import { buildTinyPoseModels, drawPosePicture, POSE_KEYPOINTS, POSE_PICTURE_HEIGHT, POSE_PICTURE_WIDTH, posePicturePoint } from '../../../models/selftest/tiny-pose-models.ts';
import { rgbImage } from '../../face/image.ts';
import { detectPeople } from './detect-people.ts';
import { drawPose } from './draw-pose.ts';
import { estimateKeypoints } from './estimate-keypoints.ts';
import { openPoseSessions, poseMap, releasePoseSessions, type PoseSessions } from './index.ts';
import { openPoseLayout } from './openpose-layout.ts';

const W = POSE_PICTURE_WIDTH;
const H = POSE_PICTURE_HEIGHT;
const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-pose-'));
const files = { detector: path.join(work, 'yolox_l.onnx'), pose: path.join(work, 'dw-ll_ucoco_384.onnx') };
let sessions: PoseSessions;
const person = drawPosePicture(new SeededRandom(5), true);
const nobody = drawPosePicture(new SeededRandom(5), false);

before(async () => {
  const models = buildTinyPoseModels(11);
  writeFileSync(files.detector, models.detector);
  writeFileSync(files.pose, models.pose);
  sessions = await openPoseSessions(files.detector, files.pose);
});
after(async () => {
  await releasePoseSessions(sessions);
  rmSync(work, { recursive: true, force: true });
});

const pixel = (map: Uint8Array, [x, y]: readonly [number, number]): number[] => [...map.subarray((Math.trunc(y) * W + Math.trunc(x)) * 3, (Math.trunc(y) * W + Math.trunc(x)) * 3 + 3)];

test('the stand-in detector finds the one person with the badge, in the designed 256 × 512 box', async () => {
  const people = await detectPeople(sessions.detector, rgbImage(W, H, person));
  assert.equal(people.length, 1);
  assert.deepEqual(people[0]!.box, [112, 48, 368, 560]);
  assert.ok(people[0]!.score > 0.9);
});

test('every keypoint lands where the stand-in pose model puts it, with its score', async () => {
  const image = rgbImage(W, H, person);
  const [estimate] = await estimateKeypoints(sessions.pose, image, await detectPeople(sessions.detector, image));
  assert.equal(estimate!.points.length, 133);
  POSE_KEYPOINTS.forEach(({ at, score }, k) => {
    const [x, y] = posePicturePoint(at);
    assert.ok(Math.abs(estimate!.points[k]![0] - x) < 1e-9 && Math.abs(estimate!.points[k]![1] - y) < 1e-9, `keypoint ${k} at ${estimate!.points[k]} not ${[x, y]}`);
    assert.ok(Math.abs(estimate!.scores[k]! - score) < 0.02, `keypoint ${k} score ${estimate!.scores[k]} not ≈ ${score}`);
  });
});

test('poseMap draws that person, the same bytes every run, with hands and face only when asked', async () => {
  const full = await poseMap(person, W, H, sessions, { hands: true, face: true });
  assert.deepEqual([full.people, full.note], [1, null]);
  const image = rgbImage(W, H, person);
  const [estimate] = await estimateKeypoints(sessions.pose, image, await detectPeople(sessions.detector, image));
  assert.deepEqual(full.map, drawPose([openPoseLayout(estimate!, W, H)], W, H, { hands: true, face: true }));
  assert.deepEqual((await poseMap(person, W, H, sessions, { hands: true, face: true })).map, full.map);

  const body = (await poseMap(person, W, H, sessions, { hands: false, face: false })).map;
  const nose = posePicturePoint(POSE_KEYPOINTS[0]!.at);
  const leftEar = posePicturePoint(POSE_KEYPOINTS[3]!.at);
  const rightEar = posePicturePoint(POSE_KEYPOINTS[4]!.at);
  const leftWristFinger = posePicturePoint(POSE_KEYPOINTS[91 + 20]!.at);
  assert.deepEqual(pixel(body, nose), [255, 0, 0], 'the nose is joint 0, red');
  assert.deepEqual(pixel(body, rightEar), [255, 0, 170], 'the right ear is joint 16');
  assert.deepEqual(pixel(body, leftEar), [0, 0, 0], 'the left ear scored 0.2: not drawn');
  assert.deepEqual(pixel(body, leftWristFinger), [0, 0, 0], 'no hands in the body-only map');
  assert.deepEqual(pixel(full.map, leftWristFinger), [0, 0, 255], 'a hand joint in the full map');
  const withFace = (await poseMap(person, W, H, sessions, { hands: false, face: true })).map;
  const facePoint = posePicturePoint(POSE_KEYPOINTS[23 + 8]!.at);
  assert.deepEqual([pixel(body, facePoint), pixel(withFace, facePoint)], [[0, 0, 0], [255, 255, 255]]);
});

test('a picture without a person gives a black map and says why', async () => {
  const result = await poseMap(nobody, W, H, sessions, { hands: true, face: true });
  assert.equal(result.people, 0);
  assert.match(result.note ?? '', /No person was found in the picture, so the pose map is black/u);
  assert.equal(result.map.length, W * H * 3);
  assert.ok(result.map.every((v) => v === 0));
});

test('model files swapped or missing are refused with the reason', async () => {
  await assert.rejects(openPoseSessions(files.pose, files.detector), /dw-ll_ucoco_384\.onnx has 1 inputs and 2 outputs; YOLOX-L has one image input/u);
  await assert.rejects(openPoseSessions(path.join(work, 'missing.onnx'), files.pose), /The pose model file .*missing\.onnx does not exist/u);
});
