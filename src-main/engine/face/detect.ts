// SCRFD det_10g exactly as insightface 0.7.3 runs it for FaceID (FaceAnalysis → RetinaFace class, spec §2.2–2.3 and §14):
// top-left letterbox, RGB (p − 127.5)/128 blob, anchors for strides 8/16/32 × 2, score ≥ threshold, NMS IoU 0.4
// with +1 areas, boxes and landmarks mapped back by one scale. The maths is float32 like numpy's, via Math.fround.
import { resizeBilinearU8 } from './opencv-kernels.ts';
import { rgbImage, type RgbImage } from './image.ts';

const f32 = Math.fround;

export const DETECTOR_STRIDES = [8, 16, 32] as const;
const ANCHORS_PER_CELL = 2;

/** One detected face in original-image pixels: box, score and 5 landmarks (left eye, right eye, nose, mouth left, mouth right). */
export interface Detection {
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  /** 5 points as [x, y] pairs in image pixels. */
  readonly landmarks: readonly (readonly [number, number])[];
}

export interface Letterbox {
  /** input size × input size canvas, the resized image pasted top-left on black. */
  readonly canvas: RgbImage;
  /** new height / original height: the single scale from image pixels to canvas pixels. */
  readonly scale: number;
}

/** insightface `detect()`: fit the image inside size×size keeping aspect (int truncation), paste top-left on black. */
export function letterbox(image: RgbImage, inputWidth: number, inputHeight: number = inputWidth): Letterbox {
  const imageRatio = image.height / image.width;
  const modelRatio = inputHeight / inputWidth;
  let newWidth: number;
  let newHeight: number;
  if (imageRatio > modelRatio) {
    newHeight = inputHeight;
    newWidth = Math.trunc(newHeight / imageRatio);
  } else {
    newWidth = inputWidth;
    newHeight = Math.trunc(newWidth * imageRatio);
  }
  newWidth = Math.max(newWidth, 1);
  newHeight = Math.max(newHeight, 1);
  const resized = resizeBilinearU8(image, newWidth, newHeight);
  const canvas = rgbImage(inputWidth, inputHeight);
  for (let r = 0; r < newHeight; r++) {
    canvas.data.set(resized.data.subarray(r * newWidth * 3, (r + 1) * newWidth * 3), r * inputWidth * 3);
  }
  return { canvas, scale: newHeight / image.height };
}

/** cv2.dnn.blobFromImage(canvas, 1/128, mean 127.5, swapRB) on an RGB canvas: NCHW float32, (p − 127.5)/128. */
export function detectorBlob(canvas: RgbImage): Float32Array {
  const plane = canvas.width * canvas.height;
  const blob = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) blob[c * plane + i] = (canvas.data[i * 3 + c]! - 127.5) / 128;
  }
  return blob;
}

/** The detector's 9 outputs by position: scores s8/16/32 [K,1], box distances [K,4], landmark distances [K,10]. */
export interface DetectorOutputs {
  readonly scores: readonly Float32Array[];
  readonly boxes: readonly Float32Array[];
  readonly landmarks: readonly Float32Array[];
}

export interface DecodeOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** canvas pixels per image pixel (Letterbox.scale). */
  readonly scale: number;
  readonly threshold?: number;
  readonly nmsThreshold?: number;
  /** 0 keeps every face in score order; n > 0 keeps the n best by area − 2·centre-offset² (insightface max_num). */
  readonly maxFaces?: number;
  /** Original image size, needed only for the maxFaces ranking. */
  readonly imageWidth?: number;
  readonly imageHeight?: number;
}

interface Candidate {
  readonly box: [number, number, number, number];
  readonly score: number;
  readonly landmarks: [number, number][];
}

/** Candidates at or above the threshold, in original-image pixels, sorted by score descending (before NMS). */
export function decodeCandidates(outputs: DetectorOutputs, options: DecodeOptions): Candidate[] {
  const threshold = f32(options.threshold ?? 0.5);
  const scale = f32(options.scale);
  const candidates: Candidate[] = [];
  DETECTOR_STRIDES.forEach((stride, level) => {
    const scores = outputs.scores[level]!;
    const boxes = outputs.boxes[level]!;
    const kps = outputs.landmarks[level]!;
    const cols = Math.trunc(options.inputWidth / stride);
    const rows = Math.trunc(options.inputHeight / stride);
    const count = rows * cols * ANCHORS_PER_CELL;
    if (scores.length < count || boxes.length < count * 4 || kps.length < count * 10) {
      throw new RangeError(`detector output for stride ${stride} has ${scores.length} anchors, expected ${count}`);
    }
    for (let a = 0; a < count; a++) {
      const score = scores[a]!;
      if (!(score >= threshold)) continue;
      const cell = Math.trunc(a / ANCHORS_PER_CELL);
      const cx = (cell % cols) * stride;
      const cy = Math.trunc(cell / cols) * stride;
      const d = (j: number): number => f32(boxes[a * 4 + j]! * stride);
      const box: [number, number, number, number] = [
        f32(f32(cx - d(0)) / scale),
        f32(f32(cy - d(1)) / scale),
        f32(f32(cx + d(2)) / scale),
        f32(f32(cy + d(3)) / scale),
      ];
      const landmarks: [number, number][] = [];
      for (let k = 0; k < 5; k++) {
        const kx = f32(cx + f32(kps[a * 10 + 2 * k]! * stride));
        const ky = f32(cy + f32(kps[a * 10 + 2 * k + 1]! * stride));
        landmarks.push([f32(kx / scale), f32(ky / scale)]);
      }
      candidates.push({ box, score, landmarks });
    }
  });
  // Stable sort: exact score ties keep anchor order (numpy's quicksort order for ties is unspecified).
  return candidates.sort((p, q) => q.score - p.score);
}

/** Greedy NMS over score-sorted candidates, +1 pixel areas, keeps a box iff IoU ≤ threshold with every kept one. */
export function nonMaximumSuppression(sorted: readonly Candidate[], threshold = 0.4): number[] {
  const limit = f32(threshold);
  const area = (c: Candidate): number => f32(f32(f32(c.box[2] - c.box[0]) + 1) * f32(f32(c.box[3] - c.box[1]) + 1));
  const keep: number[] = [];
  let order = sorted.map((_, i) => i);
  while (order.length > 0) {
    const i = order[0]!;
    keep.push(i);
    const best = sorted[i]!;
    const bestArea = area(best);
    order = order.slice(1).filter((j) => {
      const other = sorted[j]!;
      const w = Math.max(0, f32(f32(Math.min(best.box[2], other.box[2]) - Math.max(best.box[0], other.box[0])) + 1));
      const h = Math.max(0, f32(f32(Math.min(best.box[3], other.box[3]) - Math.max(best.box[1], other.box[1])) + 1));
      const inter = f32(w * h);
      const iou = f32(inter / f32(f32(bestArea + area(other)) - inter));
      return iou <= limit;
    });
  }
  return keep;
}

/** insightface `detect()` after the network: threshold, NMS, optional max_num ranking. */
export function decodeDetections(outputs: DetectorOutputs, options: DecodeOptions): Detection[] {
  const sorted = decodeCandidates(outputs, options);
  let kept = nonMaximumSuppression(sorted, options.nmsThreshold ?? 0.4).map((i) => sorted[i]!);
  const maxFaces = options.maxFaces ?? 0;
  if (maxFaces > 0 && kept.length > maxFaces) {
    if (options.imageWidth === undefined || options.imageHeight === undefined) throw new RangeError('maxFaces ranking needs the image size');
    const centreX = Math.trunc(options.imageWidth / 2);
    const centreY = Math.trunc(options.imageHeight / 2);
    const value = (c: Candidate): number => {
      const area = f32(f32(c.box[2] - c.box[0]) * f32(c.box[3] - c.box[1]));
      const ox = f32(f32(f32(c.box[0] + c.box[2]) / 2) - centreX);
      const oy = f32(f32(f32(c.box[1] + c.box[3]) / 2) - centreY);
      return f32(area - f32(f32(f32(ox * ox) + f32(oy * oy)) * 2));
    };
    kept = kept
      .map((c, i) => ({ c, i, v: value(c) }))
      .sort((p, q) => q.v - p.v || p.i - q.i)
      .slice(0, maxFaces)
      .map((e) => e.c);
  }
  return kept.map((c) => ({ box: c.box, score: c.score, landmarks: c.landmarks }));
}
