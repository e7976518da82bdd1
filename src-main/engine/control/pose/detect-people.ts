// The people a DWPose map is drawn for, found as the DWPose annotator finds them with YOLOX-L (yolox_l.onnx):
// the picture fitted into 640×640 top-left on grey 114 (cv2 bilinear, channels as given, raw 0–255), the
// [1, 8400, 85] predictions decoded on the stride 8/16/32 grids (centre (p + cell)·stride, size e^p·stride),
// class score objectness × class, person class above 0.1 through NMS at IoU 0.45 (+1 pixel areas), then kept above
// 0.3. The arithmetic is float32 where numpy's is (Math.fround), so boxes equal upstream's to the last bit but for
// exp (numpy's float32 exp may differ from a rounded double exp by one unit in the last place).
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../base/errors.ts';
import { resizeBilinearU8 } from '../../face/opencv-kernels.ts';
import type { RgbImage } from '../../face/image.ts';

const f32 = Math.fround;

const DETECTOR_SIZE = 640;
const STRIDES = [8, 16, 32] as const;
/** 4 box numbers, objectness, 80 COCO class scores. */
const PREDICTION_WIDTH = 85;
const PAD_VALUE = 114;
const CANDIDATE_SCORE = f32(0.1);
const NMS_IOU = f32(0.45);
const PERSON_SCORE = 0.3;

/** A found person in picture pixels: corners [x1, y1, x2, y2] (float32 values) and the person score. */
export interface PersonBox {
  readonly box: readonly [number, number, number, number];
  readonly score: number;
}

/** How many predictions YOLOX makes for a square input: one per cell of the three grids (8400 at 640). */
export function predictionCount(size: number): number {
  return STRIDES.reduce((n, stride) => n + Math.trunc(size / stride) ** 2, 0);
}

/** The detector input: NCHW float32 of the letterboxed picture, and the one scale from picture to canvas. */
export function detectorInput(image: RgbImage, size = DETECTOR_SIZE): { blob: Float32Array; ratio: number } {
  const ratio = Math.min(size / image.height, size / image.width);
  const width = Math.max(1, Math.trunc(image.width * ratio));
  const height = Math.max(1, Math.trunc(image.height * ratio));
  const resized = resizeBilinearU8(image, width, height);
  const plane = size * size;
  const blob = new Float32Array(3 * plane).fill(PAD_VALUE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) blob[c * plane + y * size + x] = resized.data[from + c]!;
    }
  }
  return { blob, ratio };
}

/** Person candidates above the candidate score, in picture pixels, from raw [N, 85] predictions. */
export function decodePersonCandidates(predictions: Float32Array, size: number, ratio: number): PersonBox[] {
  if (predictions.length !== predictionCount(size) * PREDICTION_WIDTH) {
    throw new RangeError(`YOLOX predictions hold ${predictions.length} numbers; a ${size}² input gives ${predictionCount(size)} × ${PREDICTION_WIDTH}`);
  }
  const scale = f32(ratio);
  const candidates: PersonBox[] = [];
  let anchor = 0;
  for (const stride of STRIDES) {
    const cells = Math.trunc(size / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++, anchor++) {
        const p = anchor * PREDICTION_WIDTH;
        const score = f32(predictions[p + 4]! * predictions[p + 5]!);
        if (!(score > CANDIDATE_SCORE)) continue;
        const cx = f32((predictions[p]! + gx) * stride);
        const cy = f32((predictions[p + 1]! + gy) * stride);
        const halfW = f32(f32(f32(Math.exp(predictions[p + 2]!)) * stride) / 2);
        const halfH = f32(f32(f32(Math.exp(predictions[p + 3]!)) * stride) / 2);
        const box = [f32(cx - halfW), f32(cy - halfH), f32(cx + halfW), f32(cy + halfH)].map((v) => f32(v / scale)) as [number, number, number, number];
        candidates.push({ box, score });
      }
    }
  }
  return candidates;
}

/** Greedy NMS as DWPose's numpy one: best score first, drop boxes whose IoU (+1 pixel sides) exceeds the threshold. */
export function nonMaximumSuppression(candidates: readonly PersonBox[], threshold = NMS_IOU): PersonBox[] {
  const area = ({ box }: PersonBox): number => f32(f32(f32(box[2] - box[0]) + 1) * f32(f32(box[3] - box[1]) + 1));
  let order = candidates.map((_, i) => i).sort((a, b) => candidates[b]!.score - candidates[a]!.score);
  const kept: PersonBox[] = [];
  while (order.length > 0) {
    const best = candidates[order[0]!]!;
    kept.push(best);
    const bestArea = area(best);
    order = order.slice(1).filter((j) => {
      const other = candidates[j]!;
      const w = Math.max(0, f32(f32(Math.min(best.box[2], other.box[2]) - Math.max(best.box[0], other.box[0])) + 1));
      const h = Math.max(0, f32(f32(Math.min(best.box[3], other.box[3]) - Math.max(best.box[1], other.box[1])) + 1));
      const inter = f32(w * h);
      return f32(inter / f32(f32(bestArea + area(other)) - inter)) <= threshold;
    });
  }
  return kept;
}

/** The people in raw predictions: candidates, NMS, then the person score. */
export function selectPeople(predictions: Float32Array, size: number, ratio: number): PersonBox[] {
  return nonMaximumSuppression(decodePersonCandidates(predictions, size, ratio)).filter((p) => p.score > PERSON_SCORE);
}

/** Runs YOLOX on the picture (input and output found by position) and returns the people, best first. */
export async function detectPeople(detector: ort.InferenceSession, image: RgbImage): Promise<PersonBox[]> {
  const { blob, ratio } = detectorInput(image);
  const results = await detector.run({ [detector.inputNames[0]!]: new ort.Tensor('float32', blob, [1, 3, DETECTOR_SIZE, DETECTOR_SIZE]) });
  const output = results[detector.outputNames[0]!]!;
  const expected = [1, predictionCount(DETECTOR_SIZE), PREDICTION_WIDTH];
  if (output.dims.join() !== expected.join()) {
    throw new StudioError('generate.unsupported-model', {
      userMessage: `The person detector gave an output of shape [${output.dims.join(', ')}]; YOLOX-L (yolox_l.onnx) gives [${expected.join(', ')}].`,
      hint: 'Use yolox_l.onnx from the DWPose annotator models.',
    });
  }
  return selectPeople(output.data as Float32Array, DETECTOR_SIZE, ratio);
}
