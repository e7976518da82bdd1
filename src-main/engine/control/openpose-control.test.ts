// The OpenPose preprocessors as control units use them: the control map of a picture file at the generation's size is
// poseMap's drawing with the parts each module names (openpose: body … openpose_full: body, hands and face), through
// DWPose stand-ins with the real signatures; without the DWPose models the error says what is missing and what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { buildTinyPoseModels, drawPosePicture, POSE_PICTURE_HEIGHT as HEIGHT, POSE_PICTURE_WIDTH as WIDTH } from '../../models/selftest/tiny-pose-models.ts';
import { SeededRandom } from '../../models/selftest/seeded-random.ts';
import { controlMap } from './control-image.ts';
import { openPoseSessions, poseMap, releasePoseSessions } from './pose/index.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-openpose-control-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('openpose, openpose_hand, openpose_face and openpose_full maps are poseMap drawings with those parts', async () => {
  const models = buildTinyPoseModels(11);
  const annotators = { poseDetector: path.join(work, 'yolox_l.onnx'), poseEstimator: path.join(work, 'dw-ll_ucoco_384.onnx') };
  writeFileSync(annotators.poseDetector, models.detector);
  writeFileSync(annotators.poseEstimator, models.pose);
  const rgb = drawPosePicture(new SeededRandom(5), true);
  const picture = path.join(work, 'dancer.png');
  await sharp(Buffer.from(rgb), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toFile(picture);
  const sessions = await openPoseSessions(annotators.poseDetector, annotators.poseEstimator);
  try {
    const maps = new Set<string>();
    for (const [preprocess, parts] of [['openpose', { hands: false, face: false }], ['openpose_hand', { hands: true, face: false }], ['openpose_face', { hands: false, face: true }], ['openpose_full', { hands: true, face: true }]] as const) {
      const map = await controlMap(picture, WIDTH, HEIGHT, { preprocess, low: 100, high: 200 }, annotators);
      const expected = await poseMap(rgb, WIDTH, HEIGHT, sessions, parts);
      assert.equal(expected.people, 1);
      assert.deepEqual(map, expected.map, preprocess);
      maps.add(Buffer.from(map).toString('base64'));
    }
    assert.equal(maps.size, 4, 'each module draws something different');
  } finally {
    await releasePoseSessions(sessions);
  }
  await assert.rejects(controlMap(picture, WIDTH, HEIGHT, { preprocess: 'openpose', low: 100, high: 200 }, { poseDetector: annotators.poseDetector }), /needs DWPose's two models, yolox_l\.onnx and dw-ll_ucoco_384\.onnx/u);
});
