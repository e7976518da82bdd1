// Recognises the ONNX models the studio runs by their interface, not their name: InsightFace's buffalo_l —
// det_10g (SCRFD): input `input.1` [1,3,?,?] and 9 outputs — scores [K,1], boxes [K,4], keypoints [K,10]
// for strides 8/16/32 (spec §2, matched by position); w600k_r50 (ArcFace): [N,3,112,112] → [N,512] — and DWPose's —
// yolox_l (YOLOX on COCO): [1,3,640,640] → [1,8400,85]; dw-ll_ucoco_384: [N,3,384,288] → SimCC x [N,133,576], y [N,133,768]
// — and Depth Anything V2's export: [N,3,H,W] (any size) → [N,H,W].
import * as ort from 'onnxruntime-node';
import type { ModelIdentity } from './identity.ts';

type Shape = ReadonlyArray<number | string>;

function tensorShapes(metadata: readonly ort.InferenceSession.ValueMetadata[]): Shape[] | null {
  const shapes: Shape[] = [];
  for (const value of metadata) {
    if (!value.isTensor) return null;
    shapes.push(value.shape);
  }
  return shapes;
}

const lastDim = (shape: Shape | undefined): number | string | undefined => shape?.[shape.length - 1];

export function classifyFaceModel(inputs: readonly Shape[], outputs: readonly Shape[], fileSizeBytes: number): ModelIdentity | null {
  const input = inputs[0];
  if (inputs.length !== 1 || input?.length !== 4 || input[1] !== 3) return null;
  const isDetectorOutputs = outputs.length === 9 && outputs.every((shape, i) => shape.length === 2 && lastDim(shape) === [1, 4, 10][Math.floor(i / 3)]);
  if (isDetectorOutputs && typeof input[2] !== 'number' && typeof input[3] !== 'number') {
    const isFullSize = fileSizeBytes > 10_000_000;
    return { kind: 'face-detector', base: null, isFullSize, summary: `SCRFD face detector (ONNX, 9 outputs)${isFullSize ? '' : ', tiny test model'}` };
  }
  const output = outputs[0];
  if (outputs.length === 1 && input[2] === 112 && input[3] === 112 && output?.length === 2 && output[1] === 512) {
    const isFullSize = fileSizeBytes > 100_000_000;
    return { kind: 'face-recognizer', base: null, isFullSize, summary: `ArcFace face recognizer (ONNX, 112×112 → 512)${isFullSize ? '' : ', tiny test model'}` };
  }
  return null;
}

export function classifyAnnotatorModel(inputs: readonly Shape[], outputs: readonly Shape[], fileSizeBytes: number): ModelIdentity | null {
  const input = inputs[0];
  if (inputs.length !== 1 || input?.length !== 4 || input[1] !== 3) return null;
  if (outputs.length === 1 && input[2] === 640 && input[3] === 640 && outputs[0]?.length === 3 && lastDim(outputs[0]) === 85) {
    const isFullSize = fileSizeBytes > 100_000_000;
    return { kind: 'pose-detector', base: null, isFullSize, summary: `YOLOX person detector for DWPose (ONNX, 640² → 85 per box)${isFullSize ? '' : ', tiny test model'}` };
  }
  if (outputs.length === 2 && input[2] === 384 && input[3] === 288 && outputs[0]?.[1] === 133 && lastDim(outputs[0]) === 576 && lastDim(outputs[1]) === 768) {
    const isFullSize = fileSizeBytes > 50_000_000;
    return { kind: 'pose-estimator', base: null, isFullSize, summary: `DWPose whole-body keypoints (ONNX, 133 SimCC)${isFullSize ? '' : ', tiny test model'}` };
  }
  const output = outputs[0];
  if (outputs.length === 1 && typeof input[2] === 'string' && typeof input[3] === 'string' && output?.length === 3 && typeof output[1] === 'string' && typeof output[2] === 'string') {
    const isFullSize = fileSizeBytes > 50_000_000;
    return { kind: 'depth-estimator', base: null, isFullSize, summary: `Depth estimator (ONNX, picture → relative depth: Depth Anything V2's interface)${isFullSize ? '' : ', tiny test model'}` };
  }
  return null;
}

/** Opens the file with onnxruntime (graph only, no inference) and classifies its interface. */
export async function identifyOnnxModel(file: string, fileSizeBytes: number): Promise<ModelIdentity | null> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled', executionProviders: ['cpu'] });
  } catch {
    return null; // not an ONNX model onnxruntime can load: not ours to identify
  }
  try {
    const inputs = tensorShapes(session.inputMetadata);
    const outputs = tensorShapes(session.outputMetadata);
    if (!inputs || !outputs) return null;
    const identity = classifyFaceModel(inputs, outputs, fileSizeBytes) ?? classifyAnnotatorModel(inputs, outputs, fileSizeBytes);
    return identity ?? { kind: 'other', base: null, isFullSize: true, summary: `ONNX model (${session.inputNames.length} inputs, ${session.outputNames.length} outputs)` };
  } finally {
    await session.release();
  }
}
