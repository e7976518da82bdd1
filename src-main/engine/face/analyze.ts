// Photo → faces: detection (with ComfyUI's smaller-size retry), alignment, ArcFace embedding and reference QA,
// in insightface FaceAnalysis.get() order (detection score, highest first).
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { normCrop } from './align.ts';
import { decodeDetections, detectorBlob, letterbox, type Detection } from './detect.ts';
import { arcfaceBlob, l2Normalize } from './embed.ts';
import { decodeReferenceImage, type DecodedImage, type DecodeImageOptions } from './decode-image.ts';
import type { RgbImage } from './image.ts';
import { runDetector, runRecognizer, type FaceModels } from './models.ts';
import { assessFace, assessReference, type FaceQuality, type ReferenceVerdict } from './qa.ts';

/** 640 first, then smaller like ComfyUI's loader (range(640, 256, −64)) when nothing is found (spec §2.7). */
export const DETECTION_SIZES = [640, 576, 512, 448, 384, 320] as const;

export interface AnalyzeOptions extends DecodeImageOptions {
  /** Detection sizes tried in order until a face is found; default DETECTION_SIZES. */
  readonly detectionSizes?: readonly number[];
  /** Detection score threshold (insightface det_thresh), default 0.5. */
  readonly threshold?: number;
  /** Also make the norm_crop of this size for the CLIP branch (224 for FaceID-Plus SD1.5). */
  readonly clipCropSize?: number;
  /** The face the user picked when there are several (index into `faces`); default 0 = highest score. */
  readonly chosenFace?: number;
  readonly signal?: AbortSignal;
}

export interface AnalyzedFace {
  readonly index: number;
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  readonly landmarks: readonly (readonly [number, number])[];
  /** L2-normalised ArcFace embedding (insightface `normed_embedding`): what FaceID consumes. */
  readonly embedding: Float32Array;
  /** ArcFace output before normalisation (insightface `embedding`; Portrait-unnorm only). */
  readonly rawEmbedding: Float32Array;
  readonly crop112: RgbImage;
  readonly crop224?: RgbImage;
  readonly qa: FaceQuality;
}

export interface ImageAnalysis {
  readonly width: number;
  readonly height: number;
  readonly faces: readonly AnalyzedFace[];
  /** The detection size that found the faces (the last one tried when none was found). */
  readonly detectionSize: number;
  /** Things the user should know: smaller detection size used, GIF first frame, downscaled, rotated. */
  readonly notes: readonly string[];
  /** One plain verdict for using this photo as a reference, with advice. */
  readonly verdict: ReferenceVerdict;
}

/** Detects faces, retrying at smaller sizes while none is found. */
export async function detectFaces(image: RgbImage, models: FaceModels, options: Pick<AnalyzeOptions, 'detectionSizes' | 'threshold' | 'signal'> = {}): Promise<{ detections: Detection[]; detectionSize: number }> {
  const sizes = options.detectionSizes ?? DETECTION_SIZES;
  let detections: Detection[] = [];
  let detectionSize = sizes[0] ?? 640;
  for (const size of sizes) {
    throwIfCancelled(options.signal, 'Face analysis');
    detectionSize = size;
    const { canvas, scale } = letterbox(image, size);
    const outputs = await runDetector(models, detectorBlob(canvas), size, size);
    detections = decodeDetections(outputs, { inputWidth: size, inputHeight: size, scale, ...(options.threshold === undefined ? {} : { threshold: options.threshold }) });
    if (detections.length > 0) break;
  }
  return { detections, detectionSize };
}

/** Faces, embeddings and QA of an already decoded image. */
export async function analyzeDecodedImage(image: RgbImage, models: FaceModels, options: AnalyzeOptions = {}, decodeNotes: readonly string[] = []): Promise<ImageAnalysis> {
  const { detections, detectionSize } = await detectFaces(image, models, options);
  const notes = [...decodeNotes];
  const firstSize = (options.detectionSizes ?? DETECTION_SIZES)[0];
  if (detections.length > 0 && detectionSize !== firstSize) {
    notes.push(`No face at detection size ${firstSize}×${firstSize}; found at ${detectionSize}×${detectionSize} (close-up faces are often missed at full size).`);
  }
  const side = models.recognizerInputSize;
  const crops = detections.map((d) => normCrop(image, d.landmarks, side).crop);
  throwIfCancelled(options.signal, 'Face analysis');
  const raw = crops.length > 0 ? await runRecognizer(models, arcfaceBlob(crops), crops.length) : [];
  const faces: AnalyzedFace[] = detections.map((detection, index) => {
    const crop112 = crops[index]!;
    const rawEmbedding = raw[index]!;
    return {
      index,
      box: detection.box,
      score: detection.score,
      landmarks: detection.landmarks,
      embedding: l2Normalize(rawEmbedding),
      rawEmbedding,
      crop112,
      ...(options.clipCropSize ? { crop224: normCrop(image, detection.landmarks, options.clipCropSize).crop } : {}),
      qa: assessFace(detection, crop112),
    };
  });
  if (options.chosenFace !== undefined && (options.chosenFace < 0 || options.chosenFace >= faces.length)) {
    throw new StudioError('face.index-out-of-range', {
      userMessage: `Face ${options.chosenFace + 1} was chosen, but the photo has ${faces.length === 0 ? 'no face' : faces.length === 1 ? 'only 1 face' : `only ${faces.length} faces`}.`,
      hint: 'Choose one of the faces shown on the photo.',
    });
  }
  const verdict = assessReference({ width: image.width, height: image.height, faces, chosenFace: options.chosenFace });
  return { width: image.width, height: image.height, faces, detectionSize, notes, verdict };
}

/** `analyzeImage(file | bytes, models, options)`: decode (orientation, colour space, first frame, size limits), then analyse. */
export async function analyzeImage(input: string | Uint8Array, models: FaceModels, options: AnalyzeOptions = {}): Promise<ImageAnalysis & { readonly source: DecodedImage['source'] }> {
  const decoded = await decodeReferenceImage(input, options);
  const analysis = await analyzeDecodedImage(decoded.image, models, options, decoded.notes);
  return { ...analysis, source: decoded.source };
}
