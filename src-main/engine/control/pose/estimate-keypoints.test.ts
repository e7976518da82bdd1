// The pose model's crop and decoding: box → centre/scale (padding 1.25, 288:384) and the warp equal DWPose's as
// OpenCV computes them (test/fixtures-generated/pose/crop_reference.py); SimCC argmax, scores and the −1 rule on
// hand-made rows; input pixels map back onto the region's corners and centre.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { repoRoot } from '../../../../test/helpers/fixtures.ts';
import { rgbImage } from '../../face/image.ts';
import { warpAffineU8, type AffineMatrix } from '../../face/opencv-kernels.ts';
import { cropMatrix, cropRegion, decodeSimcc, toPicture } from './estimate-keypoints.ts';

const folder = path.join(repoRoot, 'test', 'fixtures-generated', 'pose');
const INPUT = { width: 288, height: 384 };

interface CropCase {
  readonly box: [number, number, number, number];
  readonly center: [number, number];
  readonly scale: [number, number];
  readonly matrix: number[];
  readonly crop: string;
}

const { cases } = JSON.parse(readFileSync(path.join(folder, 'crop_cases.json'), 'utf8')) as { cases: CropCase[] };

async function rgb(file: string) {
  const { data, info } = await sharp(path.join(folder, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return rgbImage(info.width, info.height, new Uint8Array(data));
}

test('the crop region and warp of each box equal DWPose\'s through OpenCV (matrix to the bit, crop pixel for pixel)', async () => {
  const picture = await rgb('crop_picture.png');
  for (const c of cases) {
    const region = cropRegion(c.box, INPUT);
    assert.deepEqual([region.center, region.scale], [c.center, c.scale]);
    const matrix = cropMatrix(region, INPUT);
    assert.deepEqual([...matrix], c.matrix, `${c.crop} matrix`);
    const ours = warpAffineU8(picture, matrix, INPUT.width, INPUT.height);
    const theirs = await rgb(c.crop);
    assert.equal(Buffer.compare(ours.data, theirs.data), 0, `${c.crop} differs`);
  }
});

test('a wide box is heightened and a tall one widened to 288:384, about the same centre', () => {
  assert.deepEqual(cropRegion([0, 0, 200, 100], INPUT), { center: [100, 50], scale: [250, 250 / 0.75] });
  assert.deepEqual(cropRegion([10, 10, 30, 410], INPUT), { center: [20, 210], scale: [500 * 0.75, 500] });
});

test('input pixels map back onto the region: the centre to its centre, the corners to its corners', () => {
  const region = { center: [100, 200] as const, scale: [90, 120] as const };
  const [centre, topLeft, bottomRight] = toPicture([[144, 192], [0, 0], [288, 384]], region, INPUT);
  assert.deepEqual(centre, [100, 200]);
  assert.deepEqual(topLeft, [55, 140]);
  assert.deepEqual(bottomRight, [145, 260]);
  // The warp is the same map: the region's corner lands on the input's corner.
  const m: AffineMatrix = cropMatrix(region, INPUT);
  assert.ok(Math.abs(m[0] * 55 + m[1] * 140 + m[2]) < 1e-9 && Math.abs(m[3] * 55 + m[4] * 140 + m[5]) < 1e-9);
});

test('SimCC decoding takes the first argmax per axis, halves it, scores the smaller maximum, and sends scores ≤ 0 to −1', () => {
  const x = new Float32Array(3 * 6);
  const y = new Float32Array(3 * 8);
  x.set([0.1, 0.7, 0.2, 0.7, 0, 0], 0); // keypoint 0: x peaks first at 1
  y.set([0, 0, 0, 0, 0, 0.4, 0, 0], 0); // y at 5, weaker: score 0.4
  x.set([0, 0, 0, 0, 0, 0.9], 6); // keypoint 1: x at 5
  y.set([0.95, 0, 0, 0, 0, 0, 0, 0], 8); // y at 0; score 0.9
  x.set([-0.2, -0.1, -0.3, -0.5, -0.5, -0.5], 12); // keypoint 2: nothing above 0
  y.set([0, 0, 0.3, 0, 0, 0, 0, 0], 16);
  const { locations, scores } = decodeSimcc(x, y, 3);
  assert.deepEqual(locations, [[0.5, 2.5], [2.5, 0], [-0.5, -0.5]]);
  assert.deepEqual(scores, [Math.fround(0.4), Math.fround(0.9), Math.fround(-0.1)]);
});
