// COCO-WholeBody's 133 keypoints rearranged into what the OpenPose map draws, as DWPose's annotator does: the 17
// body points reordered into OpenPose's 18 with a neck halfway between the shoulders (seen when both shoulders are),
// the 21 points of each hand and the 68 face points; everything as a fraction of the picture's width and height.
// Body points count as seen above score 0.3, hand and face points from 0.3 (upstream's two comparisons).
import type { NormalizedPoint, OpenPosePerson } from './draw-pose.ts';
import type { PersonKeypoints } from './estimate-keypoints.ts';

const SEEN = 0.3;
const LEFT_SHOULDER = 5;
const RIGHT_SHOULDER = 6;
const NECK = -1;
/** OpenPose body order by WholeBody index: nose, neck, right arm, left arm, right leg, left leg, eyes, ears. */
const OPENPOSE_BODY = [0, NECK, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3] as const;
const FACE_START = 23;
const FACE_POINTS = 68;
const LEFT_HAND_START = 91;
const RIGHT_HAND_START = 112;
const HAND_POINTS = 21;

/** One person's keypoints in OpenPose layout on a width × height picture. */
export function openPoseLayout(person: PersonKeypoints, width: number, height: number): OpenPosePerson {
  const { points, scores } = person;
  const normalized = ([x, y]: readonly [number, number]): readonly [number, number] => [x / width, y / height];
  const bodyPoint = (index: number): NormalizedPoint => {
    if (index !== NECK) return scores[index]! > SEEN ? normalized(points[index]!) : null;
    if (!(scores[LEFT_SHOULDER]! > SEEN && scores[RIGHT_SHOULDER]! > SEEN)) return null;
    const [l, r] = [points[LEFT_SHOULDER]!, points[RIGHT_SHOULDER]!];
    return normalized([(l[0] + r[0]) / 2, (l[1] + r[1]) / 2]);
  };
  const range = (start: number, count: number): NormalizedPoint[] =>
    Array.from({ length: count }, (_, i) => (scores[start + i]! >= SEEN ? normalized(points[start + i]!) : null));
  return {
    body: OPENPOSE_BODY.map(bodyPoint),
    hands: [range(LEFT_HAND_START, HAND_POINTS), range(RIGHT_HAND_START, HAND_POINTS)],
    face: range(FACE_START, FACE_POINTS),
  };
}
