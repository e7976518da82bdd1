// Reference QA measures and verdict wording on controlled inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rgbImage } from './image.ts';
import { ARCFACE_TEMPLATE_112 } from './align.ts';
import { assessFace, assessReference, headPose, laplacianVariance } from './qa.ts';
import type { Detection } from './detect.ts';

function checkerboard(size: number, cell: number): ReturnType<typeof rgbImage> {
  const image = rgbImage(size, size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) image.data.fill((Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return image;
}

function faceAt(scale: number, score = 0.9): Detection {
  const landmarks = ARCFACE_TEMPLATE_112.map(([x, y]) => [x * scale + 100, y * scale + 50] as [number, number]);
  return { box: [100 + 20 * scale, 50 + 20 * scale, 100 + 92 * scale, 50 + 110 * scale], score, landmarks };
}

test('variance of the Laplacian: flat is 0, fine detail is high', () => {
  assert.equal(laplacianVariance(rgbImage(16, 16, new Uint8Array(16 * 16 * 3).fill(90))), 0);
  assert.ok(laplacianVariance(checkerboard(32, 1)) > 10_000);
  assert.ok(laplacianVariance(checkerboard(32, 8)) < laplacianVariance(checkerboard(32, 1)));
});

test('head pose: the ArcFace template is frontal; a nose shifted sideways reads as yaw', () => {
  const frontal = headPose(ARCFACE_TEMPLATE_112);
  assert.ok(Math.abs(frontal.yawDeg) < 2 && Math.abs(frontal.pitchDeg) < 2 && Math.abs(frontal.rollDeg) < 1, JSON.stringify(frontal));
  const turned = ARCFACE_TEMPLATE_112.map(([x, y], i) => (i === 2 ? [x + 15, y] : [x, y]) as [number, number]);
  assert.ok(headPose(turned).yawDeg > 30);
});

test('a big, sharp, frontal single face is a good reference', () => {
  const face = faceAt(3);
  const qa = assessFace(face, checkerboard(112, 2));
  assert.deepEqual(qa.issues, []);
  const verdict = assessReference({ width: 800, height: 600, faces: [{ box: face.box, qa }] });
  assert.equal(verdict.level, 'good');
  assert.equal(verdict.usedFace, 0);
});

test('small, blurred and low-confidence faces get plain advice', () => {
  const face = faceAt(56 / 72, 0.52);
  const qa = assessFace(face, rgbImage(112, 112, new Uint8Array(112 * 112 * 3).fill(128)));
  assert.ok(qa.issues.includes('face is 56 px wide; use a photo where it is at least 112 px'), qa.issues.join(' | '));
  assert.ok(qa.issues.some((i) => /blurred/.test(i)));
  assert.ok(qa.issues.some((i) => /low confidence/.test(i)));
  const verdict = assessReference({ width: 640, height: 480, faces: [{ box: face.box, qa }] });
  assert.equal(verdict.level, 'warning');
  assert.match(verdict.message, /^Usable, but face is 56 px wide/);
});

test('five faces: the largest is used and the user is told to pick another', () => {
  const faces = [1, 2, 5, 3, 1.5].map((s) => {
    const detection = faceAt(s);
    return { box: detection.box, qa: assessFace(detection, checkerboard(112, 2)) };
  });
  const verdict = assessReference({ width: 2000, height: 1000, faces });
  assert.equal(verdict.usedFace, 2);
  assert.equal(verdict.advice[0], '5 faces: using the largest — pick another in the photo if that is not the person');
  assert.equal(assessReference({ width: 2000, height: 1000, faces, chosenFace: 1 }).usedFace, 1);
});
