// Face analysis goldens (fixtures/face/README.md): letterbox, decode + NMS, norm_crop matrices and crops,
// ArcFace preprocessing and embeddings from the tiny ONNX stand-ins, CLIP preprocessing. Sizes and names are
// read from the fixture files, never assumed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readSafetensors } from '../../../src-main/engine/io/safetensors.ts';
import { readTensorBytes, type TensorDescriptor } from '../../../src-main/engine/io/descriptors.ts';
import { bytesToFloat32 } from '../../../src-main/engine/tensors/dtype.ts';
import { estimateNorm, normCrop } from '../../../src-main/engine/face/align.ts';
import { arcfaceBlob, l2Normalize } from '../../../src-main/engine/face/embed.ts';
import { CLIP_MEAN, CLIP_STD, clipPixelValues } from '../../../src-main/engine/face/clip-preprocess.ts';
import { DETECTOR_STRIDES, decodeCandidates, decodeDetections, detectorBlob, letterbox, nonMaximumSuppression, type DetectorOutputs } from '../../../src-main/engine/face/detect.ts';
import { rgbImage, swapRedBlue, type RgbImage } from '../../../src-main/engine/face/image.ts';
import { warpAffineU8, type AffineMatrix } from '../../../src-main/engine/face/opencv-kernels.ts';
import { loadFaceModels, releaseFaceModels, runDetector, runRecognizer } from '../../../src-main/engine/face/models.ts';
import { analyzeDecodedImage } from '../../../src-main/engine/face/analyze.ts';
import type { GoldenContext, GoldenSuite } from '../golden-suite.ts';

interface Golden {
  readonly descriptor: TensorDescriptor;
  /** float64 values (exact for F64, U8, F32 and I64 goldens). */
  readonly values: Float64Array;
}

async function loadFaceGoldens(file: string): Promise<Map<string, Golden>> {
  const index = await readSafetensors(file);
  const out = new Map<string, Golden>();
  for (const [name, descriptor] of index.tensors) {
    const bytes = await readTensorBytes(descriptor);
    const values = descriptor.dtype === 'F64' ? new Float64Array(bytes.slice().buffer) : Float64Array.from(bytesToFloat32(bytes, descriptor.dtype));
    out.set(name, { descriptor, values });
  }
  return out;
}

function bgrGolden(golden: Golden): RgbImage {
  const [height, width] = golden.descriptor.shape as [number, number, number];
  return swapRedBlue(rgbImage(width, height, Uint8Array.from(golden.values)));
}

function points(values: ArrayLike<number>, offset = 0): [number, number][] {
  return Array.from({ length: 5 }, (_, k) => [values[offset + 2 * k]!, values[offset + 2 * k + 1]!] as [number, number]);
}

function get(goldens: Map<string, Golden>, name: string): Golden {
  const golden = goldens.get(name);
  if (!golden) throw new Error(`face_goldens.safetensors has no tensor "${name}"`);
  return golden;
}

function checkLetterbox(ctx: GoldenContext, goldens: Map<string, Golden>, which: string, size: number): void {
  const input = bgrGolden(get(goldens, `img_${which}_bgr`));
  const expected = get(goldens, `letterbox_${which}_det_img_bgr`);
  const { canvas } = letterbox(input, size);
  ctx.check(`letterbox_${which}_det_img`, swapRedBlue(canvas).data, expected.values, 'letterbox');
  const blob = detectorBlob(canvas);
  let sum = 0;
  for (const v of blob) sum += v;
  ctx.check(`letterbox_${which}_blob_sum`, [sum], get(goldens, `letterbox_${which}_blob_sum`).values, 'letterbox');
}

function rawOutputs(goldens: Map<string, Golden>): DetectorOutputs {
  const raw = [...goldens.keys()].filter((k) => k.startsWith('decode_raw_')).sort((a, b) => Number(a.split('_')[2]) - Number(b.split('_')[2]));
  const arrays = raw.map((k) => Float32Array.from(get(goldens, k).values));
  return { scores: arrays.slice(0, 3), boxes: arrays.slice(3, 6), landmarks: arrays.slice(6, 9) };
}

function flattenDetections(detections: ReturnType<typeof decodeDetections>): { det: number[]; kps: number[] } {
  return {
    det: detections.flatMap((d) => [...d.box, d.score]),
    kps: detections.flatMap((d) => d.landmarks.flatMap((p) => [p[0], p[1]])),
  };
}

function checkDecode(ctx: GoldenContext, goldens: Map<string, Golden>, facesJson: { letterbox: Record<string, { new_hw: number[]; src_hw: number[] }> }, detSize: number): void {
  const outputs = rawOutputs(goldens);
  const landscape = facesJson.letterbox['landscape']!;
  const [imageHeight, imageWidth] = landscape.src_hw as [number, number];
  const scale = landscape.new_hw[0]! / imageHeight;
  const options = { inputWidth: detSize, inputHeight: detSize, scale, imageWidth, imageHeight };
  const sorted = decodeCandidates(outputs, options);
  ctx.check('decode_prenms_sorted', sorted.flatMap((c) => [...c.box, c.score]), get(goldens, 'decode_prenms_sorted').values, 'faceDecode');
  const keep = nonMaximumSuppression(sorted);
  ctx.check('decode_keep', keep, get(goldens, 'decode_keep').values, 'faceDecode');
  for (const name of [...goldens.keys()].filter((k) => /^decode_det_maxnum\d+$/.test(k))) {
    const maxFaces = Number(name.slice('decode_det_maxnum'.length));
    const { det, kps } = flattenDetections(decodeDetections(outputs, { ...options, maxFaces }));
    ctx.check(name, det, get(goldens, name).values, 'faceDecode');
    ctx.check(`decode_kps_maxnum${maxFaces}`, kps, get(goldens, `decode_kps_maxnum${maxFaces}`).values, 'faceDecode');
  }
}

function checkNormCrop(ctx: GoldenContext, goldens: Map<string, Golden>): void {
  const image = bgrGolden(get(goldens, 'img_landscape_bgr'));
  for (const name of [...goldens.keys()].filter((k) => /^normcrop_.+_\d+_M$/.test(k))) {
    const match = /^normcrop_(.+)_(\d+)_M$/.exec(name)!;
    const [, set, sizeText] = match as unknown as [string, string, string];
    const size = Number(sizeText);
    const landmarks = points(get(goldens, `normcrop_${set}_lmk`).values);
    ctx.check(`${name}_closedform_f64`, estimateNorm(landmarks, size, 'float64'), get(goldens, `${name}_closedform_f64`).values, 'alignMatrixClosedForm');
    const matrix = estimateNorm(landmarks, size);
    ctx.check(name, matrix, get(goldens, name).values, 'alignMatrixSkimage');
    const cropGolden = goldens.get(`normcrop_${set}_${size}_crop_bgr`);
    if (!cropGolden) continue;
    // The warp alone, with insightface's own matrix, then the whole norm_crop with ours.
    const reference = [...get(goldens, name).values] as unknown as AffineMatrix;
    ctx.check(`normcrop_${set}_${size}_crop (warp)`, swapRedBlue(warpAffineU8(image, reference, size)).data, cropGolden.values, 'alignCrop');
    ctx.check(`normcrop_${set}_${size}_crop`, swapRedBlue(normCrop(image, landmarks, size).crop).data, cropGolden.values, 'alignCrop');
  }
}

async function checkEndToEnd(ctx: GoldenContext, goldens: Map<string, Golden>, modelsFolder: string, detSize: number): Promise<void> {
  const image = bgrGolden(get(goldens, 'img_landscape_bgr'));
  const models = await loadFaceModels(modelsFolder);
  try {
    const analysis = await analyzeDecodedImage(image, models, { detectionSizes: [detSize], clipCropSize: 224 });
    const faces = analysis.faces;
    ctx.check('e2e_bbox', faces.flatMap((f) => f.box), get(goldens, 'e2e_bbox').values, 'faceDecode');
    ctx.check('e2e_det_score', faces.map((f) => f.score), get(goldens, 'e2e_det_score').values, 'faceDecode');
    ctx.check('e2e_kps', faces.flatMap((f) => f.landmarks.flatMap((p) => [p[0], p[1]])), get(goldens, 'e2e_kps').values, 'faceDecode');
    // Fully chained (our detection → our matrix → our crops → ArcFace / CLIP preprocessing) …
    ctx.check('e2e_embedding', faces.flatMap((f) => [...f.rawEmbedding]), get(goldens, 'e2e_embedding').values, 'embedding');
    ctx.check('e2e_normed_embedding', faces.flatMap((f) => [...f.embedding]), get(goldens, 'e2e_normed_embedding').values, 'embedding');
    const face0 = faces[0];
    if (!face0?.crop224) throw new Error('no face (or no 224 crop) found end to end');
    ctx.check('e2e_face0_crop112', swapRedBlue(face0.crop112).data, get(goldens, 'e2e_face0_crop112_bgr').values, 'alignCrop');
    ctx.check('e2e_face0_crop224', swapRedBlue(face0.crop224).data, get(goldens, 'e2e_face0_crop224_bgr').values, 'alignCrop');
    ctx.check('clip_pixel_values_official_bgr', clipPixelValues(face0.crop224, 'bgr-official'), get(goldens, 'clip_pixel_values_official_bgr').values, 'clipPixels');
    ctx.check('clip_pixel_values_rgb', clipPixelValues(face0.crop224, 'rgb'), get(goldens, 'clip_pixel_values_rgb').values, 'clipPixels');
    // … and stage by stage from the golden crops, so a failure says which stage broke.
    const goldenCrop112 = bgrGolden(get(goldens, 'e2e_face0_crop112_bgr'));
    const goldenCrop224 = bgrGolden(get(goldens, 'e2e_face0_crop224_bgr'));
    ctx.check('e2e_face0_arcface_blob (golden crop)', arcfaceBlob([goldenCrop112]), get(goldens, 'e2e_face0_arcface_blob').values, 'embedding');
    const [rawFromCrop] = await runRecognizer(models, arcfaceBlob([goldenCrop112]), 1);
    const width = rawFromCrop?.length ?? 0;
    ctx.check('e2e_face0_normed_embedding (golden crop)', l2Normalize(rawFromCrop ?? []), get(goldens, 'e2e_normed_embedding').values.slice(0, width), 'embedding');
    ctx.check('clip_pixel_values_official_bgr (golden crop)', clipPixelValues(goldenCrop224, 'bgr-official'), get(goldens, 'clip_pixel_values_official_bgr').values, 'clipPixels');
    // Raw detector scores on the landscape letterbox: onnxruntime-node against the reference run.
    const { canvas } = letterbox(image, detSize);
    const raw = await runDetector(models, detectorBlob(canvas), detSize, detSize);
    for (const name of [...goldens.keys()].filter((k) => k.startsWith('e2e_det_raw_score_s'))) {
      const level = DETECTOR_STRIDES.indexOf(Number(name.slice('e2e_det_raw_score_s'.length)) as 8 | 16 | 32);
      ctx.check(name, raw.scores[level] ?? [], get(goldens, name).values, 'embedding');
    }
  } finally {
    await releaseFaceModels(models);
  }
}

export const suite: GoldenSuite = {
  name: 'face',
  async run(ctx) {
    const folder = path.join(ctx.fixtures, 'face');
    const goldens = await loadFaceGoldens(path.join(folder, 'face_goldens.safetensors'));
    const facesJson = JSON.parse(await readFile(path.join(folder, 'face_goldens.json'), 'utf8')) as {
      letterbox: Record<string, { new_hw: number[]; src_hw: number[] }>;
      routing: { det_input_size: [number, number] };
    };
    const detSize = facesJson.routing.det_input_size[0];
    for (const which of Object.keys(facesJson.letterbox)) checkLetterbox(ctx, goldens, which, detSize);
    checkDecode(ctx, goldens, facesJson, detSize);
    checkNormCrop(ctx, goldens);
    ctx.check('clip_mean', CLIP_MEAN, get(goldens, 'clip_mean').values, 'clipPixels');
    ctx.check('clip_std', CLIP_STD, get(goldens, 'clip_std').values, 'clipPixels');
    await checkEndToEnd(ctx, goldens, path.join(folder, 'models'), detSize);
  },
};
