// Tiny stand-ins for InsightFace buffalo_l with the real models' interfaces (spec §2, fixtures face/README):
// det_10g — input `input.1` [1,3,?,?], 9 outputs in the shipped order (scores s8/16/32 [K,1] after sigmoid,
// box distances [K,4], keypoints [K,10]; K = (H/s)(W/s)·2, anchor (y·W/s + x)·2 + j); w600k_r50 — input
// `input.1` [N,3,112,112] → `683` [N,512]. Weights are random from the seed; the score bias is then set so
// that exactly one anchor of the self-test's reference picture passes 0.5 — one face, found every time.
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './onnx-writer.ts';
import { SeededRandom } from './seeded-random.ts';

const STRIDES = [8, 16, 32] as const;
const ANCHORS = 2;
// Output names of the shipped det_10g, in order: scores, boxes, keypoints for strides 8, 16, 32.
const DETECTOR_OUTPUTS = [['448', '471', '494'], ['451', '474', '497'], ['454', '477', '500']] as const;
// ArcFace alignment template (112 px) — spec §2 key numbers.
const TEMPLATE = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]] as const;
/** A detected face spans about this many strides (distances of 1.5 strides to each side). */
const FACE_STRIDES = 3;

export const REFERENCE_SIZE = 640;

function detectorGraph(rng: SeededRandom, scoreBias: number): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const heads = [
    { channels: 1, bias: () => scoreBias, sigmoid: true },
    { channels: 4, bias: () => FACE_STRIDES / 2, sigmoid: false },
    { channels: 10, bias: (c: number) => ((TEMPLATE[Math.floor(c / 2)]![c % 2]! - 56) / 112) * FACE_STRIDES, sigmoid: false },
  ];
  heads.forEach((head, h) => {
    STRIDES.forEach((stride, s) => {
      const name = `h${h}s${stride}`;
      const out = head.channels * ANCHORS;
      initializers.push({ name: `${name}_w`, dims: [out, 3, stride, stride], data: rng.normals(out * 3 * stride * stride, 0.3 / stride) });
      initializers.push({ name: `${name}_b`, dims: [out], data: Float32Array.from({ length: out }, (_, c) => head.bias(c % head.channels)) });
      initializers.push({ name: `${name}_shape`, dims: [2], data: new BigInt64Array([-1n, BigInt(head.channels)]) });
      nodes.push({ op: 'Conv', inputs: ['input.1', `${name}_w`, `${name}_b`], outputs: [`${name}_conv`], attributes: { kernel_shape: { ints: [stride, stride] }, strides: { ints: [stride, stride] } } });
      nodes.push({ op: 'Transpose', inputs: [`${name}_conv`], outputs: [`${name}_nhwc`], attributes: { perm: { ints: [0, 2, 3, 1] } } });
      const output = DETECTOR_OUTPUTS[h]![s]!;
      nodes.push({ op: 'Reshape', inputs: [`${name}_nhwc`, `${name}_shape`], outputs: [head.sigmoid ? `${name}_logit` : output] });
      if (head.sigmoid) nodes.push({ op: 'Sigmoid', inputs: [`${name}_logit`], outputs: [output] });
    });
  });
  return {
    opset: 11,
    inputs: [{ name: 'input.1', shape: [1, 3, '?', '?'] }],
    outputs: DETECTOR_OUTPUTS.flatMap((group, h) => group.map((name) => ({ name, shape: ['?', [1, 4, 10][h]!] }))),
    nodes,
    initializers,
  };
}

function recognizerGraph(rng: SeededRandom): OnnxGraph {
  const features = 8 * 14 * 14;
  return {
    opset: 11,
    inputs: [{ name: 'input.1', shape: ['None', 3, 112, 112] }],
    outputs: [{ name: '683', shape: ['None', 512] }],
    nodes: [
      { op: 'Conv', inputs: ['input.1', 'conv_w', 'conv_b'], outputs: ['conv'], attributes: { kernel_shape: { ints: [8, 8] }, strides: { ints: [8, 8] } } },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'Reshape', inputs: ['relu', 'flat_shape'], outputs: ['flat'] },
      { op: 'MatMul', inputs: ['flat', 'fc_w'], outputs: ['fc'] },
      { op: 'Add', inputs: ['fc', 'fc_b'], outputs: ['683'] },
    ],
    initializers: [
      { name: 'conv_w', dims: [8, 3, 8, 8], data: rng.normals(8 * 3 * 64, 0.05) },
      { name: 'conv_b', dims: [8], data: rng.normals(8, 0.05) },
      { name: 'flat_shape', dims: [2], data: new BigInt64Array([-1n, BigInt(features)]) },
      { name: 'fc_w', dims: [features, 512], data: rng.normals(features * 512, 1 / Math.sqrt(features)) },
      { name: 'fc_b', dims: [512], data: rng.normals(512, 0.05) },
    ],
  };
}

/** A 640×640 RGB picture: gradient, noise, and a simple face whose features sit on the ArcFace template. */
export function drawReferencePicture(rng: SeededRandom): Uint8Array {
  const size = REFERENCE_SIZE;
  const pixels = new Uint8Array(size * size * 3);
  const faceBox = { x: 200, y: 170, size: 240 };
  const scale = faceBox.size / 112;
  const features = TEMPLATE.map(([x, y]) => [faceBox.x + x * scale, faceBox.y + y * scale] as const);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let rgb = [60 + (y * 120) / size, 90 + (x * 60) / size, 140];
      const dx = (x - (faceBox.x + faceBox.size / 2)) / (faceBox.size * 0.42);
      const dy = (y - (faceBox.y + faceBox.size * 0.52)) / (faceBox.size * 0.55);
      if (dx * dx + dy * dy <= 1) rgb = [224, 172, 140];
      for (const [i, [fx, fy]] of features.entries()) {
        const radius = i === 2 ? 10 : 14;
        if ((x - fx) ** 2 + (y - fy) ** 2 <= radius * radius) rgb = i < 2 ? [40, 30, 30] : [150, 70, 70];
      }
      const noise = rng.normal() * 4;
      const at = (y * size + x) * 3;
      for (let c = 0; c < 3; c += 1) pixels[at + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + noise)));
    }
  }
  return pixels;
}

/** insightface's detector input for an image already 640×640: RGB, (p − 127.5) / 128, NCHW. */
export function detectorBlob(rgb: Uint8Array, size = REFERENCE_SIZE): Float32Array {
  const blob = new Float32Array(3 * size * size);
  for (let i = 0; i < size * size; i += 1) for (let c = 0; c < 3; c += 1) blob[c * size * size + i] = (rgb[i * 3 + c]! - 127.5) / 128;
  return blob;
}

async function scoreLogits(detector: Uint8Array, blob: Float32Array): Promise<number[]> {
  const session = await ort.InferenceSession.create(detector, { graphOptimizationLevel: 'disabled' });
  try {
    const outputs = await session.run({ 'input.1': new ort.Tensor('float32', blob, [1, 3, REFERENCE_SIZE, REFERENCE_SIZE]) });
    const logits: number[] = [];
    for (const name of DETECTOR_OUTPUTS[0]) {
      // by name here: we built this graph, so its names are known
      for (const p of outputs[name]!.data as Float32Array) logits.push(Math.log(p / (1 - p)));
    }
    return logits;
  } finally {
    await session.release();
  }
}

export interface TinyFaceModels {
  readonly detector: Uint8Array;
  readonly recognizer: Uint8Array;
}

/** Builds both models from `seed` (detector) and `seed + 1` (recognizer). */
export async function buildTinyFaceModels(seed: number, reference: Uint8Array): Promise<TinyFaceModels> {
  const blob = detectorBlob(reference);
  // The detector is built twice from the same seed: once with a zero score bias to measure the logits,
  // once with the bias halfway between the best and second-best anchor.
  const logits = (await scoreLogits(encodeOnnxModel(detectorGraph(new SeededRandom(seed), 0)), blob)).sort((a, b) => b - a);
  const [first, second] = [logits[0]!, logits[1]!];
  const detector = encodeOnnxModel(detectorGraph(new SeededRandom(seed), -(first + second) / 2));
  return { detector, recognizer: encodeOnnxModel(recognizerGraph(new SeededRandom(seed + 1))) };
}
