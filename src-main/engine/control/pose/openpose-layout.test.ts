// WholeBody → OpenPose: the body reorder with the neck between the shoulders, the hands and face slices, the
// fractions of the picture, and upstream's thresholds (body above 0.3, hands and face from 0.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPoseLayout } from './openpose-layout.ts';

const W = 200;
const H = 400;
/** WholeBody point i at (i + 1, 2i + 3) pixels, every score 0.9 unless changed. */
function person(scoreChanges: Record<number, number> = {}) {
  const points = Array.from({ length: 133 }, (_, i) => [i + 1, 2 * i + 3] as const);
  const scores = Array.from({ length: 133 }, (_, i) => scoreChanges[i] ?? 0.9);
  return { points, scores };
}
const at = (i: number): readonly [number, number] => [(i + 1) / W, (2 * i + 3) / H];

test('the 17 body points are reordered into OpenPose\'s 18 with the neck halfway between the shoulders', () => {
  const { body } = openPoseLayout(person(), W, H);
  const expected = [0, -1, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3].map((i) => (i < 0 ? [((6 + 7) / 2) / W, ((13 + 15) / 2) / H] : at(i)));
  assert.deepEqual(body, expected);
});

test('face is WholeBody 23–90, the left hand 91–111 and the right hand 112–132', () => {
  const { face, hands } = openPoseLayout(person(), W, H);
  assert.equal(face.length, 68);
  assert.deepEqual([face[0], face[67]], [at(23), at(90)]);
  assert.deepEqual([hands[0][0], hands[0][20], hands[1][0], hands[1][20]], [at(91), at(111), at(112), at(132)]);
});

test('a body point needs a score above 0.3, a hand or face point 0.3 or more; the neck needs both shoulders', () => {
  const layout = openPoseLayout(person({ 0: 0.3, 10: 0.31, 23: 0.3, 24: 0.29, 91: 0.3, 132: 0.1, 6: 0.2 }), W, H);
  assert.equal(layout.body[0], null);
  assert.deepEqual(layout.body[4], at(10));
  assert.equal(layout.body[1], null, 'neck without the right shoulder');
  assert.equal(layout.body[2], null);
  assert.deepEqual(layout.body[5], at(5));
  assert.deepEqual([layout.face[0], layout.face[1]], [at(23), null]);
  assert.deepEqual([layout.hands[0][0], layout.hands[1][20]], [at(91), null]);
});
