// Reference photos → FaceID tokens for a generation (issue #7 "wire it into the runtime"): analyse each photo,
// use its chosen face (largest by default), add CLIP features for FaceID-Plus, project with the adapter, and return
// the cond/uncond tokens in the shape the denoising loop takes (diffuse.ts IpConditioning, minus the λ scale).
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { analyzeImage, type ImageAnalysis } from '../face/analyze.ts';
import { clipPixelValues, type ClipChannelOrder } from '../face/clip-preprocess.ts';
import type { FaceModels } from '../face/models.ts';
import { encodeClipPixels, loadFaceProjection, projectFaceTokens, releaseFaceProjection, type FaceIdVariant, type ReferenceCombination } from '../models/face-tokens.ts';

export interface FaceConditioningRequest {
  /** The IP-Adapter FaceID file. */
  readonly adapter: string;
  /** Reference photos, each with an optional chosen face (index into its faces; default the largest). */
  readonly references: readonly { readonly file: string | Uint8Array; readonly chosenFace?: number }[];
  /** PlusV2 s_scale. */
  readonly structure?: number;
  readonly combine?: ReferenceCombination;
}

export interface FaceConditioningOptions {
  readonly faceModels: FaceModels;
  /** Where the compiled projection graph is cached. */
  readonly cacheDir: string;
  /** The compiled CLIP image encoder (compileModel's imageEncoder), needed by FaceID-Plus/PlusV2. */
  readonly imageEncoder?: ort.InferenceSession;
  /** Default 'bgr-official' (what the released checkpoints were run with); 'rgb' = ComfyUI. */
  readonly clipChannelOrder?: ClipChannelOrder;
  readonly signal?: AbortSignal;
}

export interface FaceConditioning {
  readonly variant: FaceIdVariant;
  /** [count, C] tokens for the prompt side and the negative side. */
  readonly cond: Float32Array;
  readonly uncond: Float32Array;
  readonly count: number;
  /** Per reference: what was found, the verdict, and notes. */
  readonly references: readonly { readonly label: string; readonly analysis: ImageAnalysis }[];
}

const labelOf = (file: string | Uint8Array, index: number): string => (typeof file === 'string' ? path.basename(file) : `reference ${index + 1}`);

export async function prepareFaceConditioning(request: FaceConditioningRequest, options: FaceConditioningOptions): Promise<FaceConditioning> {
  const projection = await loadFaceProjection(request.adapter, { cacheDir: options.cacheDir, ...(options.signal ? { signal: options.signal } : {}) });
  try {
    const isPlus = projection.config.kind === 'plus';
    if (isPlus && !options.imageEncoder) {
      throw new StudioError('generate.model-missing', {
        userMessage: `${path.basename(request.adapter)} is FaceID-Plus: it needs the CLIP ViT-H image encoder, which is not set.`,
        hint: 'Download the image encoder in Models, or choose a FaceID (non-Plus) adapter.',
      });
    }
    const references: { label: string; analysis: ImageAnalysis }[] = [];
    const embeddings: Float32Array[] = [];
    const pixels: Float32Array[] = [];
    for (const [index, reference] of request.references.entries()) {
      throwIfCancelled(options.signal, 'Face analysis');
      const analysis = await analyzeImage(reference.file, options.faceModels, {
        ...(isPlus ? { clipCropSize: 224 } : {}),
        ...(reference.chosenFace === undefined ? {} : { chosenFace: reference.chosenFace }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      references.push({ label: labelOf(reference.file, index), analysis });
      const used = analysis.verdict.usedFace;
      if (used === null) continue;
      const face = analysis.faces[used]!;
      embeddings.push(face.embedding);
      if (isPlus) pixels.push(clipPixelValues(face.crop224!, options.clipChannelOrder ?? 'bgr-official'));
    }
    if (embeddings.length === 0) {
      throw new StudioError('face.none-found', {
        userMessage: `No face was found in ${references.map((r) => r.label).join(', ') || 'the references'}, so FaceID has nothing to follow.`,
        hint: 'Use photos where the face is clearly visible and facing the camera, at least 112 px wide.',
      });
    }
    const clip = isPlus ? await encodeClipPixels(options.imageEncoder!, pixels) : undefined;
    const tokens = await projectFaceTokens(projection, {
      embeddings,
      ...(clip ? { clipHidden: clip.hidden, uncondClipHidden: clip.uncondHidden } : {}),
      ...(request.structure === undefined ? {} : { structure: request.structure }),
      ...(request.combine ? { combine: request.combine } : {}),
    });
    return { variant: projection.variant, cond: tokens.cond.data, uncond: tokens.uncond.data, count: tokens.cond.shape[1]!, references };
  } finally {
    await releaseFaceProjection(projection);
  }
}
