// YOLOX decoding on hand-made predictions: grid and stride placement, the person score (objectness × class),
// the 0.1 / 0.3 thresholds, NMS at IoU 0.45 with +1 pixel sides, the letterbox (top-left, grey 114, one ratio).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rgbImage } from '../../face/image.ts';
import { decodePersonCandidates, detectorInput, nonMaximumSuppression, predictionCount, selectPeople, type PersonBox } from './detect-people.ts';

const SIZE = 640;

/** All-zero predictions (score 0) with the given anchors set: [stride, gx, gy, dx, dy, log w, log h, objectness, class scores…]. */
function predictions(anchors: readonly (readonly number[])[]): Float32Array {
  const data = new Float32Array(predictionCount(SIZE) * 85);
  for (const [stride, gx, gy, ...values] of anchors) {
    let offset = 0;
    for (const s of [8, 16, 32]) {
      if (s === stride) break;
      offset += (SIZE / s) ** 2;
    }
    const anchor = offset + gy! * (SIZE / stride!) + gx!;
    data.set(values, anchor * 85);
  }
  return data;
}

test('YOLOX has 8400 predictions at 640: 80² + 40² + 20²', () => {
  assert.equal(predictionCount(640), 8400);
});

test('a prediction becomes a box centred on (offset + cell) × stride, e^size × stride wide, divided by the letterbox ratio', () => {
  const raw = predictions([[32, 5, 7, 0.5, 0.25, Math.log(4), Math.log(8), 0.9, 0.8]]);
  const [person] = decodePersonCandidates(raw, SIZE, 1);
  assert.deepEqual(person!.box, [(5.5 - 2) * 32, (7.25 - 4) * 32, (5.5 + 2) * 32, (7.25 + 4) * 32]);
  assert.equal(person!.score, Math.fround(Math.fround(0.9) * Math.fround(0.8)));
  const [halved] = decodePersonCandidates(raw, SIZE, 0.5);
  assert.deepEqual(halved!.box, person!.box.map((v) => v * 2));
  // The stride-8 grid is first and row-major: cell (3, 2) is anchor 2·80 + 3.
  const [small] = decodePersonCandidates(predictions([[8, 3, 2, 0, 0, 0, 0, 1, 1]]), SIZE, 1);
  assert.deepEqual(small!.box, [3 * 8 - 4, 2 * 8 - 4, 3 * 8 + 4, 2 * 8 + 4]);
});

test('only the person class counts; a weak person passes the 0.1 candidate score but not the 0.3 person score', () => {
  const raw = predictions([
    [32, 2, 2, 0, 0, 1, 1, 0.95, 0.05, 0.9], // a confident car
    [32, 10, 10, 0, 0, 1, 1, 0.5, 0.5], // person 0.25
    [16, 30, 30, 0, 0, 1, 1, 0.6, 0.9], // person 0.54
  ]);
  assert.equal(decodePersonCandidates(raw, SIZE, 1).length, 2);
  const people = selectPeople(raw, SIZE, 1);
  assert.equal(people.length, 1);
  assert.deepEqual(people[0]!.box.map((v) => Math.round(v)), [30 * 16 - 22, 30 * 16 - 22, 30 * 16 + 22, 30 * 16 + 22]);
});

test('NMS keeps the best box and drops those overlapping it by more than IoU 0.45 (+1 pixel sides), in score order', () => {
  const box = (y2: number, score: number): PersonBox => ({ box: [0, 0, 99, y2], score });
  // Nested boxes: IoU = (y2 + 1) / 100 against [0, 0, 99, 99].
  const kept = nonMaximumSuppression([box(44, 0.5), box(99, 0.9), box(45, 0.6), { box: [200, 200, 260, 300], score: 0.7 }]);
  assert.deepEqual(kept.map((k) => k.score), [0.9, 0.7, 0.5]);
});

test('the detector input fits the picture top-left at one ratio, pads with grey 114 and keeps the channel order', () => {
  const picture = rgbImage(4, 2);
  for (let i = 0; i < 8; i++) picture.data.set([200, 100, 50], i * 3);
  const { blob, ratio } = detectorInput(picture);
  assert.equal(ratio, 160);
  const plane = SIZE * SIZE;
  const at = (c: number, x: number, y: number): number => blob[c * plane + y * SIZE + x]!;
  assert.deepEqual([at(0, 0, 0), at(1, 0, 0), at(2, 0, 0)], [200, 100, 50]);
  assert.deepEqual([at(0, 639, 319), at(2, 639, 319)], [200, 50]);
  assert.deepEqual([at(0, 0, 320), at(1, 639, 639)], [114, 114]);
});
