// Reference QA: is this photo a good identity reference, and what should the user do if not? The measures are
// the ones a person can act on (how many faces, how big, how sharp, how turned); thresholds are our own heuristics,
// derived from what FaceID was trained on (single faces, ArcFace's 112 px input, spec §10.3–10.4).
import type { Detection } from './detect.ts';
import type { RgbImage } from './image.ts';

/** Below this face width ArcFace gets upsampled pixels (its input is 112 px). */
export const MIN_GOOD_FACE_PX = 112;
/** Below this width the embedding is mostly guesswork. */
export const MIN_USABLE_FACE_PX = 48;
/** Variance of the Laplacian of the 112 px grey crop below which the face looks blurred. */
export const MIN_SHARPNESS = 15;
export const MAX_GOOD_YAW_DEG = 30;
export const MAX_GOOD_PITCH_DEG = 25;
export const MIN_GOOD_SCORE = 0.6;

export interface FaceQuality {
  readonly score: number;
  /** Box width and height in image pixels. */
  readonly widthPx: number;
  readonly heightPx: number;
  /** Variance of the Laplacian of the aligned 112 px crop in grey levels² (higher = sharper). */
  readonly sharpness: number;
  /** Rough head turn from the 5 landmarks, degrees (± ~15°): yaw > 0 = nose towards the image's right, pitch > 0 = looking down. */
  readonly yawDeg: number;
  readonly pitchDeg: number;
  readonly rollDeg: number;
  /** Plain sentences about this face's problems; empty when it is a good reference. */
  readonly issues: readonly string[];
}

export type VerdictLevel = 'good' | 'warning' | 'unusable';

export interface ReferenceVerdict {
  readonly level: VerdictLevel;
  /** The face used as the reference (index into faces), or null when none can be. */
  readonly usedFace: number | null;
  /** One sentence for the user. */
  readonly message: string;
  /** What to do about each problem, most important first. */
  readonly advice: readonly string[];
}

/** Variance of the 4-neighbour Laplacian over the interior of the crop's grey image (OpenCV-style blur measure). */
export function laplacianVariance(image: RgbImage): number {
  const { width, height, data } = image;
  const grey = new Float64Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += v;
      sumSq += v * v;
      count++;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  return sumSq / count - mean * mean;
}

const RAD = 180 / Math.PI;
// Frontal proportions from the ArcFace template: nose sits 0.495 of the way from the eye line to the mouth line.
const FRONTAL_NOSE_RATIO = (71.7366 - (51.6963 + 51.5014) / 2) / ((92.3655 + 92.2041) / 2 - (51.6963 + 51.5014) / 2);
// Nose-tip depth in units of the eye distance, for turning its sideways shift into an angle.
const NOSE_DEPTH = 0.6;

/** Yaw, pitch and roll estimates (degrees) from eyes, nose and mouth corners with the roll taken out. */
export function headPose(landmarks: readonly (readonly [number, number])[]): { yawDeg: number; pitchDeg: number; rollDeg: number } {
  const [le, re, nose, lm, rm] = landmarks as [readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number]];
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const eyeMid = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2] as const;
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const level = ([x, y]: readonly [number, number]): [number, number] => {
    const dx = x - eyeMid[0];
    const dy = y - eyeMid[1];
    return [dx * cos - dy * sin, dx * sin + dy * cos];
  };
  const eyeDistance = Math.hypot(re[0] - le[0], re[1] - le[1]) || 1;
  const n = level(nose);
  const m1 = level(lm);
  const m2 = level(rm);
  const mouthMid = [(m1[0] + m2[0]) / 2, (m1[1] + m2[1]) / 2] as const;
  const clampUnit = (v: number): number => Math.max(-1, Math.min(1, v));
  const midlineX = mouthMid[0] / 2;
  const yaw = Math.asin(clampUnit((n[0] - midlineX) / (NOSE_DEPTH * eyeDistance)));
  const noseRatio = mouthMid[1] !== 0 ? n[1] / mouthMid[1] : FRONTAL_NOSE_RATIO;
  const pitch = Math.asin(clampUnit((noseRatio - FRONTAL_NOSE_RATIO) * 2));
  return { yawDeg: yaw * RAD, pitchDeg: pitch * RAD, rollDeg: roll * RAD };
}

/** Measures one detected face; `crop112` is its aligned ArcFace crop. */
export function assessFace(detection: Detection, crop112: RgbImage): FaceQuality {
  const widthPx = detection.box[2] - detection.box[0];
  const heightPx = detection.box[3] - detection.box[1];
  const sharpness = laplacianVariance(crop112);
  const pose = headPose(detection.landmarks);
  const issues: string[] = [];
  const width = Math.round(widthPx);
  if (widthPx < MIN_GOOD_FACE_PX) issues.push(`face is ${width} px wide; use a photo where it is at least ${MIN_GOOD_FACE_PX} px`);
  if (sharpness < MIN_SHARPNESS) issues.push(`face looks blurred (sharpness ${sharpness.toFixed(1)}); use a sharper photo`);
  if (Math.abs(pose.yawDeg) > MAX_GOOD_YAW_DEG) issues.push(`head is turned about ${Math.round(Math.abs(pose.yawDeg))}° to the side; a photo facing the camera works best`);
  if (Math.abs(pose.pitchDeg) > MAX_GOOD_PITCH_DEG) issues.push(`head is tilted about ${Math.round(Math.abs(pose.pitchDeg))}° ${pose.pitchDeg > 0 ? 'down' : 'up'}; a photo facing the camera works best`);
  if (detection.score < MIN_GOOD_SCORE) issues.push(`the face was found with low confidence (${detection.score.toFixed(2)}); it may be partly hidden or not a face`);
  return { score: detection.score, widthPx, heightPx, sharpness, ...pose, issues };
}

interface ReferenceFaces {
  readonly width: number;
  readonly height: number;
  readonly faces: readonly { readonly box: readonly number[]; readonly qa: FaceQuality }[];
  /** The face the user picked; undefined = the largest one. */
  readonly chosenFace?: number | undefined;
}

/** The largest face (by box area): the likely subject of a reference photo. */
export function largestFace(faces: readonly { readonly box: readonly number[] }[]): number {
  let best = -1;
  let bestArea = -1;
  faces.forEach((f, i) => {
    const area = (f.box[2]! - f.box[0]!) * (f.box[3]! - f.box[1]!);
    if (area > bestArea) {
      best = i;
      bestArea = area;
    }
  });
  return best;
}

/** One verdict for a photo: which face is used, whether it is a good reference, and what to do. */
export function assessReference(reference: ReferenceFaces): ReferenceVerdict {
  const { faces } = reference;
  if (faces.length === 0) {
    const tiny = Math.min(reference.width, reference.height) < MIN_USABLE_FACE_PX;
    return {
      level: 'unusable',
      usedFace: null,
      message: tiny ? `No face found: the image is only ${reference.width}×${reference.height} px.` : 'No face found in this photo.',
      advice: tiny
        ? [`use a photo where the face is at least ${MIN_GOOD_FACE_PX} px wide`]
        : ['use a photo where one face is clearly visible and facing the camera', 'if the face fills the whole frame, use a photo with some space around the head'],
    };
  }
  const chosen = reference.chosenFace ?? largestFace(faces);
  const face = faces[chosen]!;
  const advice: string[] = [];
  if (faces.length > 1) {
    const how = reference.chosenFace === undefined ? 'using the largest' : `using face ${chosen + 1}, as chosen`;
    advice.push(`${faces.length} faces: ${how} — pick another in the photo if that is not the person`);
  }
  advice.push(...face.qa.issues);
  const unusable = face.qa.widthPx < MIN_USABLE_FACE_PX;
  const level: VerdictLevel = unusable ? 'unusable' : advice.length > 0 ? 'warning' : 'good';
  const message =
    level === 'good'
      ? 'Good reference: one clear face.'
      : level === 'unusable'
        ? `Face too small to use (${Math.round(face.qa.widthPx)} px wide).`
        : `Usable, but ${advice[0]}.`;
  return { level, usedFace: chosen, message, advice };
}
