// The two insightface buffalo_l files FaceID needs, opened in onnxruntime: det_10g (SCRFD) and w600k_r50 (ArcFace).
// Outputs are matched by position, never by name (the shipped det_10g uses numeric names, spec §14).
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import { openSession } from '../onnx/session.ts';
import { DETECTOR_STRIDES, type DetectorOutputs } from './detect.ts';

export const DETECTOR_FILE = 'det_10g.onnx';
export const RECOGNIZER_FILE = 'w600k_r50.onnx';

export interface FaceModels {
  readonly folder: string;
  readonly detector: ort.InferenceSession;
  readonly recognizer: ort.InferenceSession;
  /** Side of the square ArcFace input (112 for w600k_r50). */
  readonly recognizerInputSize: number;
}

/** Which face model files a folder holds (for `faceid doctor` and the models page). */
export function faceModelFiles(folder: string): { detector: string | null; recognizer: string | null } {
  const find = (name: string): string | null => (existsSync(path.join(folder, name)) ? path.join(folder, name) : null);
  return { detector: find(DETECTOR_FILE), recognizer: find(RECOGNIZER_FILE) };
}

/** Opens det_10g.onnx and w600k_r50.onnx from `folder` and checks they have the inputs and outputs FaceID expects. */
export async function loadFaceModels(folder: string): Promise<FaceModels> {
  const files = faceModelFiles(folder);
  const missing = [files.detector ? null : DETECTOR_FILE, files.recognizer ? null : RECOGNIZER_FILE].filter((f) => f !== null);
  if (missing.length > 0 || !files.detector || !files.recognizer) {
    throw new StudioError('face.model-missing', {
      userMessage: `The face models folder ${folder} is missing ${missing.join(' and ')}.`,
      hint: 'Run `faceid models download insightface-det-10g insightface-w600k-r50` (InsightFace buffalo_l, into the studio\'s models folder), or choose a folder that holds them with --face-models / FACEID_FACE_MODELS.',
    });
  }
  const [detector, recognizer] = await Promise.all([openSession(files.detector), openSession(files.recognizer)]);
  if (detector.outputNames.length !== 9) {
    throw new StudioError('face.model-unsupported', {
      userMessage: `${files.detector} has ${detector.outputNames.length} outputs; SCRFD det_10g has 9 (scores, boxes and landmarks for 3 strides).`,
      hint: 'Use det_10g.onnx from insightface buffalo_l.',
    });
  }
  const recognizerInput = recognizer.inputMetadata[0];
  const dims = recognizerInput && recognizerInput.isTensor ? recognizerInput.shape : [];
  const side = typeof dims[2] === 'number' ? dims[2] : 112;
  if (recognizer.outputNames.length !== 1 || side % 16 !== 0) {
    throw new StudioError('face.model-unsupported', {
      userMessage: `${files.recognizer} does not look like an ArcFace recognizer (one [N,512] output, square input).`,
      hint: 'Use w600k_r50.onnx from insightface buffalo_l.',
    });
  }
  return { folder, detector, recognizer, recognizerInputSize: side };
}

export async function releaseFaceModels(models: FaceModels): Promise<void> {
  await Promise.all([models.detector.release(), models.recognizer.release()]);
}

/** Runs the detector on a blob of the canvas; returns its 9 outputs grouped by kind, in stride order. */
export async function runDetector(models: FaceModels, blob: Float32Array, width: number, height: number): Promise<DetectorOutputs> {
  const input = new ort.Tensor('float32', blob, [1, 3, height, width]);
  const results = await models.detector.run({ [models.detector.inputNames[0]!]: input });
  const byPosition = models.detector.outputNames.map((name) => results[name]!.data as Float32Array);
  const levels = DETECTOR_STRIDES.length;
  return {
    scores: byPosition.slice(0, levels),
    boxes: byPosition.slice(levels, 2 * levels),
    landmarks: byPosition.slice(2 * levels, 3 * levels),
  };
}

/** Runs ArcFace on a [N,3,S,S] blob; returns N raw (unnormalised) embeddings. */
export async function runRecognizer(models: FaceModels, blob: Float32Array, count: number): Promise<Float32Array[]> {
  const side = models.recognizerInputSize;
  const input = new ort.Tensor('float32', blob, [count, 3, side, side]);
  const results = await models.recognizer.run({ [models.recognizer.inputNames[0]!]: input });
  const out = results[models.recognizer.outputNames[0]!]!.data as Float32Array;
  const width = out.length / count;
  return Array.from({ length: count }, (_, n) => out.slice(n * width, (n + 1) * width));
}

