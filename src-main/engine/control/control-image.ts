// The control image a ControlNet sees: the picture given, resized to the generation's size (Pillow's Lanczos
// reproduced, as diffusers' control image processor resizes), through its preprocessor (Canny edges on the resized
// picture, an OpenPose map by DWPose's models, a depth map by Depth Anything V2, or as is), as CHW RGB in [0, 1] — not normalised to [−1, 1], as the
// ControlNets were trained.
import type { ControlPreprocessor } from '../../../src-preload/contract/generation.ts';
import { decodeReferenceImage } from '../face/decode-image.ts';
import { StudioError } from '../../base/errors.ts';
import { canny } from './canny.ts';
import { depthMap, openDepthSession } from './depth.ts';
import { openPoseSessions, poseMap, releasePoseSessions, type PoseParts } from './pose/index.ts';
import { resizeLanczosU8 } from './pillow-resize.ts';

export interface ControlImageOptions {
  readonly preprocess: ControlPreprocessor;
  /** Canny thresholds. */
  readonly low: number;
  readonly high: number;
}

/** The annotator model files the preprocessors need (found by content in the model folders by the app). */
export interface AnnotatorFiles {
  /** DWPose's person detector (yolox_l.onnx). */
  readonly poseDetector?: string;
  /** DWPose's whole-body keypoint model (dw-ll_ucoco_384.onnx). */
  readonly poseEstimator?: string;
  /** Depth Anything V2 (an ONNX export). */
  readonly depthEstimator?: string;
}

/** Whether a preprocessor runs annotator models (so the app must find them before the job): all but None and Canny. */
export function needsAnnotators(preprocess: ControlPreprocessor): boolean {
  return preprocess !== 'none' && preprocess !== 'canny';
}

async function depthAnythingMap(rgb: Uint8Array, width: number, height: number, annotators: AnnotatorFiles): Promise<Uint8Array> {
  if (annotators.depthEstimator === undefined) {
    throw new StudioError('generate.model-missing', {
      userMessage: 'The depth preprocessor needs Depth Anything V2 (an ONNX export), and it is not in your model folders.',
      hint: 'Download "Depth Anything V2 Small" on the Models page (or put its model.onnx in a model folder), or give a ready depth map with the preprocessor None.',
    });
  }
  const session = await openDepthSession(annotators.depthEstimator);
  try {
    return await depthMap(rgb, width, height, session);
  } finally {
    await session.release();
  }
}

const POSE_PARTS: Readonly<Record<string, PoseParts>> = {
  openpose: { hands: false, face: false },
  openpose_hand: { hands: true, face: false },
  openpose_face: { hands: false, face: true },
  openpose_full: { hands: true, face: true },
};

async function openPoseMap(rgb: Uint8Array, width: number, height: number, parts: PoseParts, annotators: AnnotatorFiles): Promise<Uint8Array> {
  if (annotators.poseDetector === undefined || annotators.poseEstimator === undefined) {
    throw new StudioError('generate.model-missing', {
      userMessage: 'The OpenPose preprocessor needs DWPose\'s two models, yolox_l.onnx and dw-ll_ucoco_384.onnx, and they are not in your model folders.',
      hint: 'Download "DWPose" on the Models page (or put the two files in a model folder), or give a ready pose map with the preprocessor None.',
    });
  }
  const sessions = await openPoseSessions(annotators.poseDetector, annotators.poseEstimator);
  try {
    return (await poseMap(rgb, width, height, sessions, parts)).map;
  } finally {
    await releasePoseSessions(sessions);
  }
}

/** 8-bit RGB HWC at `width`×`height` after the preprocessor: what is stored and shown as the control map. */
export async function controlMap(file: string | Uint8Array, width: number, height: number, options: ControlImageOptions, annotators: AnnotatorFiles = {}): Promise<Uint8Array> {
  const { image } = await decodeReferenceImage(file);
  const rgb = resizeLanczosU8(image.data, image.width, image.height, 3, width, height);
  if (options.preprocess === 'none') return rgb;
  const parts = POSE_PARTS[options.preprocess];
  if (parts) return openPoseMap(rgb, width, height, parts, annotators);
  if (options.preprocess === 'depth') return depthAnythingMap(rgb, width, height, annotators);
  const edges = canny({ data: rgb, width, height, channels: 3 }, options.low, options.high);
  const map = new Uint8Array(3 * edges.length);
  for (let i = 0; i < edges.length; i++) map.fill(edges[i]!, 3 * i, 3 * i + 3);
  return map;
}

/** An 8-bit HWC RGB map as the ControlNet's input: CHW in [0, 1]. */
export function controlTensor(map: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const chw = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) chw[c * plane + i] = Math.fround(map[3 * i + c]! / 255);
  return chw;
}

/**
 * An 8-bit HWC RGB map as a T2I-Adapter's input: CHW in [0, 1] with the adapter's channels. diffusers' adapter
 * pipeline does not convert the picture's mode, so a 1-channel (sketch, canny) adapter is given grey; Pillow's "L"
 * conversion (ITU-R 601 luma in 16-bit fixed point) makes it from RGB.
 */
export function adapterTensor(map: Uint8Array, width: number, height: number, channels: number): Float32Array {
  if (channels === 3) return controlTensor(map, width, height);
  const plane = width * height;
  const grey = new Float32Array(plane);
  for (let i = 0; i < plane; i++) grey[i] = Math.fround(((map[3 * i]! * 19595 + map[3 * i + 1]! * 38470 + map[3 * i + 2]! * 7471 + 0x8000) >> 16) / 255);
  return grey;
}
