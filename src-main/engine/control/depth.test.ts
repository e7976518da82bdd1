// The depth preprocessor: upstream's input sizes (518 lower bound, multiples of 14, NumPy's half-to-even rounding),
// cv2's INTER_CUBIC weights and border and torch's align_corners bilinear against values worked out by hand, the
// min-max scaling's truncation, then the whole map through a real onnxruntime session of the tiny stand-in (size,
// 0…255, grey, the same bytes every run, following the picture). Wrong inputs and wrong models are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';
import { encodeOnnxModel } from '../../models/selftest/onnx-writer.ts';
import { SeededRandom } from '../../models/selftest/seeded-random.ts';
import { buildTinyDepthModel, drawDepthPicture } from '../../models/selftest/tiny-depth-model.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { cubicWeights, resizeBilinearAlignCorners, resizeCubicF64 } from './depth-resize.ts';
import { depthInput, depthInputSize, depthMap, depthToGrey, openDepthSession } from './depth.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-depth-'));
const modelFile = path.join(work, 'depth_anything_v2_vits.onnx');
let session: ort.InferenceSession;

before(async () => {
  writeFileSync(modelFile, buildTinyDepthModel(7));
  session = await openDepthSession(modelFile);
});
after(async () => {
  await session.release();
  rmSync(work, { recursive: true, force: true });
});

test('input sizes: the shorter side scaled to 518, aspect kept, each side the nearest multiple of 14 (half to even)', () => {
  // 640×480: scale 518/480; 640·518/480 = 690.67 = 49.33·14 → 49·14 = 686.
  assert.deepEqual(depthInputSize(640, 480), { width: 686, height: 518 });
  assert.deepEqual(depthInputSize(480, 640), { width: 518, height: 686 });
  assert.deepEqual(depthInputSize(518, 518), { width: 518, height: 518 });
  // Larger pictures shrink: 1920×1080 → 920.9 = 65.8·14 → 924; 1000² → 518².
  assert.deepEqual(depthInputSize(1920, 1080), { width: 924, height: 518 });
  assert.deepEqual(depthInputSize(1000, 1000), { width: 518, height: 518 });
  // Exact halves round to even: 539 = 38.5·14 → 38·14 = 532 (not 546); 768·518/512 = 777 = 55.5·14 → 56·14 = 784.
  assert.deepEqual(depthInputSize(539, 518), { width: 532, height: 518 });
  assert.deepEqual(depthInputSize(512, 768), { width: 518, height: 784 });
  // Tiny pictures grow: 20×10 scales by 51.8 → 1036×518.
  assert.deepEqual(depthInputSize(20, 10), { width: 1036, height: 518 });
});

test('cubic weights are OpenCV\'s interpolateCubic with a = −0.75', () => {
  assert.deepEqual(cubicWeights(0), [0, 1, 0, 0]);
  assert.deepEqual(cubicWeights(0.5), [-0.09375, 0.59375, 0.59375, -0.09375]);
  assert.deepEqual(cubicWeights(0.25), [-0.10546875, 0.87890625, 0.26171875, -0.03515625]);
  assert.deepEqual(cubicWeights(0.75), [-0.03515625, 0.26171875, 0.87890625, -0.10546875]);
});

test('cubic resize: cv2\'s source positions, replicated border and overshoot, by hand', () => {
  // Down 4 → 2: x = (d + 0.5)·2 − 0.5 = 0.5, 2.5. Taps [−1, 0, 1, 2] → [0, 0, 1, 2] and [1, 2, 3, 4] → [1, 2, 3, 3].
  assert.deepEqual([...resizeCubicF64(Float64Array.of(0, 1, 2, 3), 4, 1, 1, 2, 1)], [0.59375 - 0.1875, -0.09375 + 1.1875 + 1.78125 - 0.28125]);
  // Up 2 → 4: x = −0.25, 0.25, 0.75, 1.25, so fractions 0.75, 0.25, 0.75, 0.25 from s = −1, 0, 0, 1; no clipping,
  // so the ends overshoot: 10·w3(0.75) = −1.0546875 and 10·(1 − w0(0.25)) = 11.0546875.
  assert.deepEqual([...resizeCubicF64(Float64Array.of(0, 10), 2, 1, 1, 4, 1)], [-1.0546875, 2.265625, 7.734375, 11.0546875]);
  // 2-D, 2×2 → 4×4: rows first ([0, 10] → −1.0546875, 2.265625, …; [20, 30] → 18.9453125, 22.265625, …), then
  // columns with the same weights: (1, 1) = 2.265625·0.7734375 + 22.265625·0.2265625; (0, 0) = −1.0546875·1.10546875
  // + 18.9453125·(−0.10546875).
  const square = resizeCubicF64(Float64Array.of(0, 10, 20, 30), 2, 2, 1, 4, 4);
  assert.equal(square[1 * 4 + 1], 6.796875);
  assert.equal(square[0], -3.1640625);
  // Channels are resized independently.
  const rgb = resizeCubicF64(Float64Array.of(0, 5, 9, 10, 5, 1), 2, 1, 3, 4, 1);
  assert.deepEqual([...rgb.filter((_, i) => i % 3 === 0)], [-1.0546875, 2.265625, 7.734375, 11.0546875]);
  assert.deepEqual([...rgb.filter((_, i) => i % 3 === 1)], [5, 5, 5, 5]);
  // The same size is a copy.
  assert.deepEqual([...resizeCubicF64(Float64Array.of(1, 2, 3, 4), 2, 2, 1, 2, 2)], [1, 2, 3, 4]);
});

test('align-corners bilinear: corners stay, the rest in between at (in − 1)/(out − 1) steps, in float32', () => {
  assert.deepEqual([...resizeBilinearAlignCorners(Float32Array.of(0, 1, 2, 3), 2, 2, 3, 3)], [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  // 2 → 4: the step is float32(1/3), so the middle values are 3·float32(1/3) = 1.0000000298… and twice it.
  const third = Math.fround(1 / 3);
  assert.deepEqual([...resizeBilinearAlignCorners(Float32Array.of(0, 3), 2, 1, 4, 1)], [0, Math.fround(3 * third), Math.fround(3 * Math.fround(2 * third)), 3]);
  // Down 3 → 2 keeps the ends; to one pixel takes the first.
  assert.deepEqual([...resizeBilinearAlignCorners(Float32Array.of(0, 5, 10), 3, 1, 2, 1)], [0, 10]);
  assert.deepEqual([...resizeBilinearAlignCorners(Float32Array.of(4, 5, 10), 3, 1, 1, 1)], [4]);
});

test('depth to grey: (d − min)/(max − min)·255 truncated, in R, G and B; a flat depth is black', () => {
  // 63.75 → 63 and 127.5 → 127: truncation as NumPy's astype(uint8), not rounding.
  assert.deepEqual([...depthToGrey(Float32Array.of(-1, 0, 1, 3))], [0, 0, 0, 63, 63, 63, 127, 127, 127, 255, 255, 255]);
  assert.deepEqual([...depthToGrey(Float32Array.of(2, 2))], [0, 0, 0, 0, 0, 0]);
});

test('the model input is NCHW at the upstream size, each channel (v/255 − mean)/std', () => {
  const colour = [255, 0, 128];
  const rgb = new Uint8Array(28 * 14 * 3).map((_, i) => colour[i % 3]!);
  const input = depthInput(rgb, 28, 14);
  assert.deepEqual([input.width, input.height], [1036, 518]);
  const plane = input.width * input.height;
  assert.equal(input.tensor.length, 3 * plane);
  const expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225];
  for (let c = 0; c < 3; c++) {
    for (const i of [0, 517, plane - 1]) assert.ok(Math.abs(input.tensor[c * plane + i]! - expected[c]!) < 1e-6, `channel ${c} at ${i}`);
  }
});

/** A session that records the shape it was fed. */
function recording(inner: ort.InferenceSession, shapes: (readonly number[])[]): ort.InferenceSession {
  return {
    inputNames: inner.inputNames,
    outputNames: inner.outputNames,
    run: (feeds: Record<string, ort.Tensor>) => {
      shapes.push(feeds[inner.inputNames[0]!]!.dims);
      return inner.run(feeds);
    },
  } as unknown as ort.InferenceSession;
}

test('the depth map through the stand-in: picture-sized grey 0…255, the same bytes every run, near (bright) is light', async () => {
  const picture = drawDepthPicture(new SeededRandom(4), 640, 480);
  const shapes: (readonly number[])[] = [];
  const map = await depthMap(picture, 640, 480, recording(session, shapes));
  assert.deepEqual(shapes, [[1, 3, 518, 686]]);
  assert.equal(map.length, 640 * 480 * 3);
  assert.equal(map.reduce((m, v) => Math.min(m, v), 255), 0);
  assert.equal(map.reduce((m, v) => Math.max(m, v), 0), 255);
  for (let i = 0; i < map.length; i += 3) assert.ok(map[i] === map[i + 1] && map[i] === map[i + 2]);
  const at = (x: number, y: number) => map[(y * 640 + x) * 3]!;
  assert.ok(at(224, 240) > 200 && at(600, 20) < 60, `disc ${at(224, 240)}, far corner ${at(600, 20)}`);
  assert.deepEqual(await depthMap(picture, 640, 480, session), map);
  const other = drawDepthPicture(new SeededRandom(4), 480, 640);
  assert.notDeepEqual((await depthMap(other, 480, 640, session)).subarray(0, map.length), map);
});

test('bytes that are not an RGB picture of the size given are refused with the reason', async () => {
  const png = readFileSync(fixture('control', 'control_images', 'photo_128.png'));
  await assert.rejects(depthMap(png, 128, 128, session), (error: unknown) => {
    assert.ok(error instanceof StudioError);
    assert.equal(error.code, 'invalid-request');
    assert.match(error.userMessage, /needs an RGB picture of 128×128 pixels \(49152 bytes\), and was given \d+ bytes/u);
    return true;
  });
});

test('a missing model file, a model with two inputs and one whose output is not a depth map are refused', async () => {
  await assert.rejects(openDepthSession(path.join(work, 'absent.onnx')), /The depth model file .*absent\.onnx does not exist/u);
  const twoInputs = path.join(work, 'two-inputs.onnx');
  writeFileSync(twoInputs, encodeOnnxModel({
    inputs: [{ name: 'a', shape: [1, 3, 14, 14] }, { name: 'b', shape: [1, 3, 14, 14] }],
    outputs: [{ name: 'sum', shape: [1, 3, 14, 14] }],
    nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['sum'] }],
    initializers: [],
  }));
  await assert.rejects(openDepthSession(twoInputs), (error: unknown) => error instanceof StudioError && error.code === 'generate.unsupported-model' && /has 2 inputs; Depth Anything V2 has one, the image/u.test(error.userMessage));
  const colours = path.join(work, 'identity.onnx');
  writeFileSync(colours, encodeOnnxModel({
    inputs: [{ name: 'image', shape: ['N', 3, 'H', 'W'] }],
    outputs: [{ name: 'depth', shape: ['N', 3, 'H', 'W'] }],
    nodes: [{ op: 'Identity', inputs: ['image'], outputs: ['depth'] }],
    initializers: [],
  }));
  const identity = await openDepthSession(colours);
  try {
    await assert.rejects(depthMap(new Uint8Array(14 * 14 * 3), 14, 14, identity), /gave a float32 output of shape \[1, 3, 518, 518\]; Depth Anything V2 gives one float32 depth map \[1, 518, 518\]/u);
  } finally {
    await identity.release();
  }
});
