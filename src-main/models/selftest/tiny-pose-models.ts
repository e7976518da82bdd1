// Tiny stand-ins for the DWPose annotator's two models with the real interfaces, so the pose preprocessor runs
// end to end through onnxruntime in tests: yolox_l — input `images` [1,3,640,640] → `output` [1,8400,85] (box
// numbers raw, objectness and 80 class scores after a sigmoid, stride 8/16/32 grids row-major); dw-ll_ucoco_384 —
// input `input` [N,3,384,288] → `simcc_x` [N,133,576], `simcc_y` [N,133,768].
// The detector's objectness sees only how green a 32-pixel cell is, so the reference picture's one pure-green cell
// (a badge on the person's chest) is the one person, with a fixed 256×512 box about that cell's centre; a picture
// without the badge has nobody. The pose model's rows are a fixed peak per keypoint (its bias) plus a seeded, tiny
// function of the crop's mean colour, so the argmax — and so every keypoint — lands where POSE_KEYPOINTS says.
import { encodeOnnxModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './onnx-writer.ts';
import { SeededRandom } from './seeded-random.ts';

const STRIDES = [8, 16, 32] as const;
const SIZE = 640;
const CHANNELS = 85;
const KEYPOINTS = 133;
const INPUT_WIDTH = 288;
const INPUT_HEIGHT = 384;
const SPLIT = 2;

/** The reference picture: 480 wide, 640 high, so the detector's letterbox is the picture itself plus grey on the right. */
export const POSE_PICTURE_WIDTH = 480;
export const POSE_PICTURE_HEIGHT = 640;
/** The badge's cell on the stride-32 grid; the person's box is 8 × 16 cells about its centre (240, 304). */
const BADGE_CELL = { x: 7, y: 9 } as const;
const BOX_CELLS = { width: 8, height: 16 } as const;
/** Objectness logit = GAIN · (mean G − mean R − mean B) / 255 − OFFSET: 8 on the badge, negative elsewhere. */
const GAIN = 24;
const OFFSET = 16;

/**
 * Each WholeBody keypoint's place in the model input (288 × 384 pixels) and its score. With the box above the crop
 * is the picture's x 0–480, y −16–624, so picture = (5/3 · u, 5/3 · v − 16). Three points are too weak to draw:
 * the left ear (body 3), face point 28 and the right little fingertip (132).
 */
export const POSE_KEYPOINTS: readonly { readonly at: readonly [number, number]; readonly score: number }[] = (() => {
  const body: [number, number][] = [
    [144, 72], [135, 63], [153, 63], [126, 69], [162, 69], [177, 111], [111, 111], [192, 159], [96, 159],
    [201, 204], [87, 204], [165, 210], [123, 210], [168, 276], [120, 276], [171, 339], [117, 339],
  ];
  const feet: [number, number][] = [[183, 351], [186, 354], [171, 357], [105, 351], [102, 354], [117, 357]];
  const face = Array.from({ length: 68 }, (_, k): [number, number] => [144 + Math.round(18 * Math.cos((2 * Math.PI * k) / 68)), 69 + Math.round(21 * Math.sin((2 * Math.PI * k) / 68))]);
  const hand = ([wx, wy]: [number, number]): [number, number][] => [
    [wx, wy],
    ...Array.from({ length: 20 }, (_, j): [number, number] => {
      const finger = Math.floor(j / 4);
      const joint = (j % 4) + 1;
      return [wx + (finger - 2) * 3 * joint, wy + 5 * joint];
    }),
  ];
  const points = [...body, ...feet, ...face, ...hand(body[9]!), ...hand(body[10]!)];
  const weak: Record<number, number> = { 3: 0.2, 28: 0.1, 132: 0.25 };
  return points.map((at, i) => ({ at, score: weak[i] ?? 0.9 }));
})();

function detectorGraph(rng: SeededRandom): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  for (const stride of STRIDES) {
    const taps = stride * stride;
    const weights = new Float32Array(CHANNELS * 3 * taps);
    const bias = new Float32Array(CHANNELS);
    // Class scores 1–79: seeded noise far below the person class.
    weights.set(rng.normals(79 * 3 * taps, 0.01 / taps), 6 * 3 * taps);
    bias.fill(-4, 6);
    bias[5] = 4;
    if (stride === 32) {
      const [r, g, b] = [0, 1, 2].map((c) => (4 * 3 + c) * taps);
      weights.fill(-GAIN / (255 * taps), r!, r! + taps);
      weights.fill(GAIN / (255 * taps), g!, g! + taps);
      weights.fill(-GAIN / (255 * taps), b!, b! + taps);
      bias.set([0.5, 0.5, Math.log(BOX_CELLS.width), Math.log(BOX_CELLS.height), -OFFSET]);
    } else {
      bias[4] = -12;
    }
    const name = `s${stride}`;
    initializers.push({ name: `${name}_w`, dims: [CHANNELS, 3, stride, stride], data: weights });
    initializers.push({ name: `${name}_b`, dims: [CHANNELS], data: bias });
    nodes.push({ op: 'Conv', inputs: ['images', `${name}_w`, `${name}_b`], outputs: [`${name}_conv`], attributes: { kernel_shape: { ints: [stride, stride] }, strides: { ints: [stride, stride] } } });
    nodes.push({ op: 'Reshape', inputs: [`${name}_conv`, 'rows_shape'], outputs: [`${name}_rows`] });
    nodes.push({ op: 'Transpose', inputs: [`${name}_rows`], outputs: [`${name}_cells`], attributes: { perm: { ints: [0, 2, 1] } } });
  }
  initializers.push({ name: 'rows_shape', dims: [3], data: new BigInt64Array([1n, BigInt(CHANNELS), -1n]) });
  for (const [name, values] of [['box_start', [0]], ['box_end', [4]], ['score_start', [4]], ['score_end', [CHANNELS]], ['last_axis', [2]]] as const) {
    initializers.push({ name, dims: [1], data: new BigInt64Array(values.map(BigInt)) });
  }
  nodes.push(
    { op: 'Concat', inputs: STRIDES.map((s) => `s${s}_cells`), outputs: ['raw'], attributes: { axis: { i: 1 } } },
    { op: 'Slice', inputs: ['raw', 'box_start', 'box_end', 'last_axis'], outputs: ['box'] },
    { op: 'Slice', inputs: ['raw', 'score_start', 'score_end', 'last_axis'], outputs: ['score_logits'] },
    { op: 'Sigmoid', inputs: ['score_logits'], outputs: ['scores'] },
    { op: 'Concat', inputs: ['box', 'scores'], outputs: ['output'], attributes: { axis: { i: 2 } } },
  );
  const cells = STRIDES.reduce((n, s) => n + (SIZE / s) ** 2, 0);
  return { opset: 13, inputs: [{ name: 'images', shape: [1, 3, SIZE, SIZE] }], outputs: [{ name: 'output', shape: [1, cells, CHANNELS] }], nodes, initializers };
}

function poseGraph(rng: SeededRandom): OnnxGraph {
  const nodes: OnnxNode[] = [{ op: 'ReduceMean', inputs: ['input'], outputs: ['mean_colour'], attributes: { axes: { ints: [2, 3] }, keepdims: { i: 0 } } }];
  const initializers: OnnxInitializer[] = [];
  for (const [axis, bins] of [['x', INPUT_WIDTH * SPLIT], ['y', INPUT_HEIGHT * SPLIT]] as const) {
    const bias = new Float32Array(KEYPOINTS * bins);
    POSE_KEYPOINTS.forEach(({ at, score }, k) => {
      bias[k * bins + at[axis === 'x' ? 0 : 1] * SPLIT] = score;
    });
    initializers.push(
      { name: `${axis}_w`, dims: [3, KEYPOINTS * bins], data: rng.normals(3 * KEYPOINTS * bins, 0.002) },
      { name: `${axis}_b`, dims: [KEYPOINTS * bins], data: bias },
      { name: `${axis}_shape`, dims: [3], data: new BigInt64Array([-1n, BigInt(KEYPOINTS), BigInt(bins)]) },
    );
    nodes.push(
      { op: 'MatMul', inputs: ['mean_colour', `${axis}_w`], outputs: [`${axis}_mixed`] },
      { op: 'Add', inputs: [`${axis}_mixed`, `${axis}_b`], outputs: [`${axis}_flat`] },
      { op: 'Reshape', inputs: [`${axis}_flat`, `${axis}_shape`], outputs: [`simcc_${axis}`] },
    );
  }
  return {
    opset: 13,
    inputs: [{ name: 'input', shape: ['N', 3, INPUT_HEIGHT, INPUT_WIDTH] }],
    outputs: [{ name: 'simcc_x', shape: ['N', KEYPOINTS, INPUT_WIDTH * SPLIT] }, { name: 'simcc_y', shape: ['N', KEYPOINTS, INPUT_HEIGHT * SPLIT] }],
    nodes,
    initializers,
  };
}

export interface TinyPoseModels {
  readonly detector: Uint8Array;
  readonly pose: Uint8Array;
}

/** Both models from `seed` (detector) and `seed + 1` (pose). */
export function buildTinyPoseModels(seed: number): TinyPoseModels {
  return { detector: encodeOnnxModel(detectorGraph(new SeededRandom(seed))), pose: encodeOnnxModel(poseGraph(new SeededRandom(seed + 1))) };
}

/** The picture region the pose model sees for the badge's box: x 0–480, y −16–624 (see POSE_KEYPOINTS). */
const CROP = { left: 0, top: -16, width: 480, height: 640 } as const;

/** The picture place of a model-input place. */
export function posePicturePoint([u, v]: readonly [number, number]): [number, number] {
  return [(u / INPUT_WIDTH) * CROP.width + CROP.left, (v / INPUT_HEIGHT) * CROP.height + CROP.top];
}

/**
 * A 480 × 640 picture: a grey room with seeded noise and a skin-coloured stick figure along POSE_KEYPOINTS'
 * body; with `badge`, the pure-green 32 × 32 square on the chest that makes the stand-in detector see a person.
 */
export function drawPosePicture(rng: SeededRandom, badge: boolean): Uint8Array {
  const width = POSE_PICTURE_WIDTH;
  const height = POSE_PICTURE_HEIGHT;
  const pixels = new Uint8Array(width * height * 3);
  const joints = POSE_KEYPOINTS.slice(0, 17).map(({ at }) => posePicturePoint(at));
  const bones = [[5, 7], [7, 9], [6, 8], [8, 10], [5, 6], [11, 12], [5, 11], [6, 12], [11, 13], [13, 15], [12, 14], [14, 16], [0, 5], [0, 6]] as const;
  const nearBone = (x: number, y: number): boolean =>
    bones.some(([a, b]) => {
      const [ax, ay] = joints[a]!;
      const [bx, by] = joints[b]!;
      const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
      return (x - ax - t * (bx - ax)) ** 2 + (y - ay - t * (by - ay)) ** 2 < 14 ** 2;
    }) || (x - joints[0]![0]) ** 2 + (y - joints[0]![1]) ** 2 < 34 ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const inBadge = badge && x >= BADGE_CELL.x * 32 && x < (BADGE_CELL.x + 1) * 32 && y >= BADGE_CELL.y * 32 && y < (BADGE_CELL.y + 1) * 32;
      if (inBadge) {
        pixels.set([0, 255, 0], at);
        continue;
      }
      const base = nearBone(x, y) ? [220, 170, 140] : [70 + (y * 40) / height, 72, 78];
      const noise = rng.normal() * 3;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise)));
    }
  }
  return pixels;
}
