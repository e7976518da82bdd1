// The 133 COCO-WholeBody keypoints of each found person, as the DWPose annotator gets them from RTMPose
// (dw-ll_ucoco_384.onnx): the box padded 1.25× about its centre and widened to the model's 288:384 aspect, that
// region warped (cv2.warpAffine bilinear, black outside) to the model input, (p − mean) / std per channel, one
// person per run, then SimCC decoding — the argmax of each keypoint's x and y rows at split ratio 2, the score the
// smaller of the two maxima — mapped back through the same centre and scale. Doubles where numpy uses float64.
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../base/errors.ts';
import type { RgbImage } from '../../face/image.ts';
import { warpAffineU8, type AffineMatrix } from '../../face/opencv-kernels.ts';
import type { PersonBox } from './detect-people.ts';

const WHOLEBODY_KEYPOINTS = 133;
const BOX_PADDING = 1.25;
const SIMCC_SPLIT_RATIO = 2;
const MEAN = [123.675, 116.28, 103.53] as const;
const STD = [58.395, 57.12, 57.375] as const;

/** The pose model's input size in pixels (288 × 384 for dw-ll_ucoco_384). */
export interface InputSize {
  readonly width: number;
  readonly height: number;
}

/** The picture region the model sees: its centre and its size (width, height), in picture pixels. */
export interface CropRegion {
  readonly center: readonly [number, number];
  readonly scale: readonly [number, number];
}

/** One person's keypoints in picture pixels with the model's scores, WholeBody order. */
export interface PersonKeypoints {
  readonly points: readonly (readonly [number, number])[];
  readonly scores: readonly number[];
}

/** bbox_xyxy2cs with padding 1.25, then the scale widened (or heightened) to the input's aspect ratio. */
export function cropRegion(box: PersonBox['box'], input: InputSize): CropRegion {
  const [x1, y1, x2, y2] = box;
  const w = (x2 - x1) * BOX_PADDING;
  const h = (y2 - y1) * BOX_PADDING;
  const aspect = input.width / input.height;
  return { center: [(x1 + x2) * 0.5, (y1 + y2) * 0.5], scale: w > h * aspect ? [w, w / aspect] : [h * aspect, h] };
}

/**
 * cv2.getAffineTransform: the 6×6 system of the three point pairs solved as OpenCV's DECOMP_LU does (Gaussian
 * elimination with partial pivoting, multipliers −1/pivot, back substitution dividing by the pivot). The order of
 * operations matters: a matrix one rounding away shifts whole columns of the bilinear warp.
 */
function affineThrough(from: readonly (readonly [number, number])[], to: readonly (readonly [number, number])[]): AffineMatrix {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [x, y] = from[i]!;
    a.push([x, y, 1, 0, 0, 0], [0, 0, 0, x, y, 1]);
    b.push(to[i]![0], to[i]![1]);
  }
  const n = 6;
  for (let i = 0; i < n; i++) {
    let pivot = i;
    for (let j = i + 1; j < n; j++) if (Math.abs(a[j]![i]!) > Math.abs(a[pivot]![i]!)) pivot = j;
    if (Math.abs(a[pivot]![i]!) < Number.EPSILON * 100) throw new RangeError('the crop points are collinear');
    if (pivot !== i) {
      [a[i], a[pivot]] = [a[pivot]!, a[i]!];
      [b[i], b[pivot]] = [b[pivot]!, b[i]!];
    }
    const d = -1 / a[i]![i]!;
    for (let j = i + 1; j < n; j++) {
      const alpha = a[j]![i]! * d;
      for (let k = i + 1; k < n; k++) a[j]![k]! += alpha * a[i]![k]!;
      b[j]! += alpha * b[i]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[i]![k]! * b[k]!;
    b[i] = s / a[i]![i]!;
  }
  return [b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!];
}

/**
 * get_warp_matrix without rotation: the region's centre, the point half its width above it and the third point of
 * the right angle (float32, as upstream stores them) map to the same points of the input.
 */
export function cropMatrix(region: CropRegion, input: InputSize): AffineMatrix {
  const f32 = Math.fround;
  const third = (a: readonly [number, number], b: readonly [number, number]): [number, number] => {
    const [dx, dy] = [f32(a[0] - b[0]), f32(a[1] - b[1])];
    return [f32(b[0] - dy), f32(b[1] + dx)];
  };
  const [cx, cy] = region.center;
  const src0: [number, number] = [f32(cx), f32(cy)];
  const src1: [number, number] = [f32(cx), f32(cy - region.scale[0] * 0.5)];
  const dst0: [number, number] = [f32(input.width * 0.5), f32(input.height * 0.5)];
  const dst1: [number, number] = [dst0[0], f32(input.height * 0.5 - input.width * 0.5)];
  return affineThrough([src0, src1, third(src0, src1)], [dst0, dst1, third(dst0, dst1)]);
}

/** The model's input for one region: the warped crop, (p − mean) / std, CHW float32. */
export function poseInput(image: RgbImage, region: CropRegion, input: InputSize): Float32Array {
  const crop = warpAffineU8(image, cropMatrix(region, input), input.width, input.height);
  const plane = input.width * input.height;
  const blob = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) blob[c * plane + i] = (crop.data[i * 3 + c]! - MEAN[c]!) / STD[c]!;
  return blob;
}

/** First index of the largest value of row `k` of a [K, width] array, and that value. */
function rowMaximum(data: Float32Array, k: number, width: number): [number, number] {
  let best = 0;
  let value = data[k * width]!;
  for (let i = 1; i < width; i++) {
    if (data[k * width + i]! > value) {
      value = data[k * width + i]!;
      best = i;
    }
  }
  return [best, value];
}

/** SimCC decoding: per keypoint the argmax x and y in input pixels (÷ split ratio) and min(max x, max y); −1 where that is ≤ 0. */
export function decodeSimcc(simccX: Float32Array, simccY: Float32Array, keypoints: number): { locations: [number, number][]; scores: number[] } {
  const widthX = simccX.length / keypoints;
  const widthY = simccY.length / keypoints;
  const locations: [number, number][] = [];
  const scores: number[] = [];
  for (let k = 0; k < keypoints; k++) {
    const [x, maxX] = rowMaximum(simccX, k, widthX);
    const [y, maxY] = rowMaximum(simccY, k, widthY);
    const score = maxX > maxY ? maxY : maxX;
    locations.push(score > 0 ? [x / SIMCC_SPLIT_RATIO, y / SIMCC_SPLIT_RATIO] : [-1 / SIMCC_SPLIT_RATIO, -1 / SIMCC_SPLIT_RATIO]);
    scores.push(score);
  }
  return { locations, scores };
}

/** Input-pixel locations back to picture pixels: location / input size × scale + centre − scale / 2. */
export function toPicture(locations: readonly (readonly [number, number])[], region: CropRegion, input: InputSize): [number, number][] {
  const [sw, sh] = region.scale;
  const [cx, cy] = region.center;
  return locations.map(([x, y]) => [(x / input.width) * sw + cx - sw / 2, (y / input.height) * sh + cy - sh / 2]);
}

/** The model's input size from its first input's shape [N, 3, H, W], 288 × 384 where it is not fixed. */
export function poseInputSize(pose: ort.InferenceSession): InputSize {
  const meta = pose.inputMetadata[0];
  const shape = meta && meta.isTensor ? meta.shape : [];
  const [height, width] = [shape[2], shape[3]];
  return typeof height === 'number' && typeof width === 'number' ? { width, height } : { width: 288, height: 384 };
}

/** Runs the pose model once per person (input and outputs by position: simcc_x, simcc_y). */
export async function estimateKeypoints(pose: ort.InferenceSession, image: RgbImage, people: readonly PersonBox[]): Promise<PersonKeypoints[]> {
  const input = poseInputSize(pose);
  const estimates: PersonKeypoints[] = [];
  for (const person of people) {
    const region = cropRegion(person.box, input);
    const feed = new ort.Tensor('float32', poseInput(image, region, input), [1, 3, input.height, input.width]);
    const results = await pose.run({ [pose.inputNames[0]!]: feed });
    const [x, y] = pose.outputNames.map((name) => results[name]!);
    const expected = [WHOLEBODY_KEYPOINTS * input.width * SIMCC_SPLIT_RATIO, WHOLEBODY_KEYPOINTS * input.height * SIMCC_SPLIT_RATIO];
    if (!x || !y || x.data.length !== expected[0] || y.data.length !== expected[1]) {
      throw new StudioError('generate.unsupported-model', {
        userMessage: `The pose model gave outputs of shapes ${[x, y].map((t) => (t ? `[${t.dims.join(', ')}]` : 'none')).join(' and ')}; DWPose gives simcc_x [1, 133, ${input.width * 2}] and simcc_y [1, 133, ${input.height * 2}].`,
        hint: 'Use dw-ll_ucoco_384.onnx from the DWPose annotator models.',
      });
    }
    const { locations, scores } = decodeSimcc(x.data as Float32Array, y.data as Float32Array, WHOLEBODY_KEYPOINTS);
    estimates.push({ points: toPicture(locations, region, input), scores });
  }
  return estimates;
}
