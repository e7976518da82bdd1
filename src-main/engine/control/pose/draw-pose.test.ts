// The OpenPose drawing equals OpenCV's, byte for byte: test/fixtures-generated/pose holds pictures drawn by
// cv2 4.6 with the upstream annotator's calls (draw_reference.py) and the exact keypoints they were drawn from.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { repoRoot } from '../../../../test/helpers/fixtures.ts';
import { drawPose, type OpenPosePerson } from './draw-pose.ts';

interface DrawCase {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly hands: boolean;
  readonly face: boolean;
  readonly people: OpenPosePerson[];
}

const folder = path.join(repoRoot, 'test', 'fixtures-generated', 'pose');
const { cases } = JSON.parse(readFileSync(path.join(folder, 'cases.json'), 'utf8')) as { cases: DrawCase[] };

/** Where two RGB pictures differ: the count and the first few pixels, for a readable failure. */
function differences(ours: Uint8Array, theirs: Uint8Array, width: number): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let i = 0; i < ours.length; i += 3) {
    if (ours[i] !== theirs[i] || ours[i + 1] !== theirs[i + 1] || ours[i + 2] !== theirs[i + 2]) {
      count++;
      if (first.length < 5) first.push(`(${(i / 3) % width},${Math.floor(i / 3 / width)}) ours ${ours.subarray(i, i + 3).join(',')} cv2 ${theirs.subarray(i, i + 3).join(',')}`);
    }
  }
  return { count, first };
}

for (const drawCase of cases) {
  test(`OpenPose drawing "${drawCase.name}" equals OpenCV's pixel for pixel`, async () => {
    const ours = drawPose(drawCase.people, drawCase.width, drawCase.height, { hands: drawCase.hands, face: drawCase.face });
    const reference = await sharp(path.join(folder, `${drawCase.name}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([reference.info.width, reference.info.height], [drawCase.width, drawCase.height]);
    const diff = differences(ours, new Uint8Array(reference.data), drawCase.width);
    assert.equal(diff.count, 0, `${diff.count} pixels differ: ${diff.first.join('; ')}`);
  });
}

test('the group cases draw something for every part asked and nothing else', () => {
  const lit = (name: string): number => {
    const c = cases.find((k) => k.name === name)!;
    return drawPose(c.people, c.width, c.height, { hands: c.hands, face: c.face }).reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
  };
  const [body, hands, face, full] = ['group-body', 'group-hands', 'group-face', 'group-full'].map(lit) as [number, number, number, number];
  assert.ok(hands > body && face > body && full > hands && full > face, `lit bytes body ${body}, hands ${hands}, face ${face}, full ${full}`);
});
