// The OpenPose control map of a picture through DWPose's two ONNX models (yolox_l.onnx finds people,
// dw-ll_ucoco_384.onnx places 133 keypoints on each), drawn as the ControlNet OpenPose models were trained:
// body only (openpose), with hands (openpose_hand), with face (openpose_face) or both (openpose_full).
// With nobody found the map is black and the result says so (upstream DWPose would instead run the pose model
// on the whole picture and draw whatever it guessed there).
import { existsSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { StudioError } from '../../../base/errors.ts';
import { rgbImage } from '../../face/image.ts';
import { openSession } from '../../onnx/session.ts';
import { detectPeople } from './detect-people.ts';
import { drawPose, type PoseParts } from './draw-pose.ts';
import { estimateKeypoints } from './estimate-keypoints.ts';
import { openPoseLayout } from './openpose-layout.ts';

export type { PoseParts } from './draw-pose.ts';

export const DETECTOR_FILE = 'yolox_l.onnx';
export const POSE_FILE = 'dw-ll_ucoco_384.onnx';

export interface PoseSessions {
  readonly detector: ort.InferenceSession;
  readonly pose: ort.InferenceSession;
}

export interface PoseMap {
  /** width × height × 3 bytes, RGB. */
  readonly map: Uint8Array;
  readonly people: number;
  /** Set when the map is black because nobody was found. */
  readonly note: string | null;
}

function unsupported(file: string, what: string, hint: string): StudioError {
  return new StudioError('generate.unsupported-model', { userMessage: `${file} ${what}`, hint });
}

/** Opens both models and checks their inputs and outputs by position: one image input each, 1 and 2 outputs. */
export async function openPoseSessions(detectorFile: string, poseFile: string): Promise<PoseSessions> {
  for (const file of [detectorFile, poseFile]) {
    if (!existsSync(file)) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The pose model file ${file} does not exist.`,
        hint: `The DWPose preprocessor needs ${DETECTOR_FILE} and ${POSE_FILE} (the sd-webui-controlnet / comfyui_controlnet_aux annotator files).`,
      });
    }
  }
  const [detector, pose] = await Promise.all([openSession(detectorFile), openSession(poseFile)]);
  if (detector.inputNames.length !== 1 || detector.outputNames.length !== 1) {
    await Promise.all([detector.release(), pose.release()]);
    throw unsupported(detectorFile, `has ${detector.inputNames.length} inputs and ${detector.outputNames.length} outputs; YOLOX-L has one image input and one [1, 8400, 85] output.`, `Use ${DETECTOR_FILE} as the person detector.`);
  }
  if (pose.inputNames.length !== 1 || pose.outputNames.length !== 2) {
    await Promise.all([detector.release(), pose.release()]);
    throw unsupported(poseFile, `has ${pose.inputNames.length} inputs and ${pose.outputNames.length} outputs; DWPose has one image input and two (simcc_x, simcc_y).`, `Use ${POSE_FILE} as the pose model.`);
  }
  return { detector, pose };
}

export async function releasePoseSessions(sessions: PoseSessions): Promise<void> {
  await Promise.all([sessions.detector.release(), sessions.pose.release()]);
}

/** The OpenPose map of an 8-bit HWC RGB picture, drawn at the picture's size. */
export async function poseMap(rgb: Uint8Array, width: number, height: number, sessions: PoseSessions, parts: PoseParts): Promise<PoseMap> {
  const image = rgbImage(width, height, rgb);
  const boxes = await detectPeople(sessions.detector, image);
  if (boxes.length === 0) {
    return { map: new Uint8Array(width * height * 3), people: 0, note: 'No person was found in the picture, so the pose map is black (the ControlNet gets no pose to follow).' };
  }
  const keypoints = await estimateKeypoints(sessions.pose, image, boxes);
  const people = keypoints.map((person) => openPoseLayout(person, width, height));
  return { map: drawPose(people, width, height, parts), people: people.length, note: null };
}
