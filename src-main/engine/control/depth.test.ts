// Depth Anything V2's preprocessing and postprocessing as its own image2tensor and sd-webui-controlnet do them: input
// sizes (lower bound 518, multiples of 14), OpenCV's bicubic weights and replicated edges, torch's align-corners
// bilinear, and the whole map through a real onnxruntime session of a stand-in with the model's interface.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildTinyDepthModel } from '../../models/selftest/tiny-depth-model.ts';
import { depthInputSize, depthMap, resizeBilinearAlignCorners, resizeCubic } from './depth.ts';

test('input sizes: the shorter side reaches 518, both sides multiples of 14 at or above their scaled size\'s rounding', () => {
  assert.deepEqual(depthInputSize(518, 518), { width: 518, height: 518 });
  // 640×480: × 518/480 → 690.67 × 518 → round(690.67/14)=49 → 686 (≥ 518).
  assert.deepEqual(depthInputSize(640, 480), { width: 686, height: 518 });
  assert.deepEqual(depthInputSize(480, 640), { width: 518, height: 686 });
  // 64×64 upscaled to 518 exactly; a tall 100×300 → 518 × 1554.
  assert.deepEqual(depthInputSize(64, 64), { width: 518, height: 518 });
  assert.deepEqual(depthInputSize(100, 300), { width: 518, height: 1554 });
});

test('bicubic resize: constants stay, OpenCV\'s weights (A = −0.75, which does not keep a ramp exact) at a known offset, edges replicated', () => {
  const flat = resizeCubic(new Float64Array(4 * 4).fill(0.25), 4, 4, 1, 7, 9);
  assert.ok(flat.every((v) => Math.abs(v - 0.25) < 1e-12));
  // ×2 upscale of a 1-D ramp: output x=2 maps to source 0.75 → taps −1(→0), 0, 1, 2 with t = 0.75.
  const ramp = Float64Array.from([0, 1, 2, 3]);
  const up = resizeCubic(ramp, 4, 1, 1, 8, 1);
  const A = -0.75;
  const t = 0.75;
  const w = [((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A, ((A + 2) * t - (A + 3)) * t * t + 1, ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1];
  const expected = w[0]! * 0 + w[1]! * 0 + w[2]! * 1 + (1 - w[0]! - w[1]! - w[2]!) * 2;
  assert.ok(Math.abs(up[2]! - expected) < 1e-12, `${up[2]} vs ${expected}`);
  // Inside, taps 0…3 at t = 0.25 give 1.296875, not 1.25: A = −0.75 overshoots a ramp (only A = −0.5 keeps it).
  assert.ok(Math.abs(up[3]! - 1.296875) < 1e-12, `${up[3]}`);
  assert.ok(Math.abs(up[3]! + up[4]! - 3) < 1e-12 && Math.abs(up[0]! + up[7]! - 3) < 1e-12, 'symmetric about the middle, edges replicated alike');
});

test('bilinear with align_corners: corners kept, midpoints averaged', () => {
  const src = Float32Array.from([0, 10, 20, 30]);
  const out = resizeBilinearAlignCorners(src, 2, 2, 3, 3);
  assert.deepEqual([...out], [0, 5, 10, 10, 15, 20, 20, 25, 30]);
});

test('the depth map through a stand-in session: grey, min 0 and max 255, the picture\'s size, the same twice', async () => {
  const session = await ort.InferenceSession.create(buildTinyDepthModel(3));
  try {
    const [width, height] = [40, 30];
    const rgb = Uint8Array.from({ length: 3 * width * height }, (_, i) => (i * 37) % 256);
    const map = await depthMap(rgb, width, height, session);
    assert.equal(map.length, 3 * width * height);
    const grey = map.filter((_, i) => i % 3 === 0);
    assert.deepEqual([Math.min(...grey), Math.max(...grey)], [0, 255]);
    assert.ok(map.every((v, i) => v === map[i - (i % 3)]));
    assert.deepEqual(await depthMap(rgb, width, height, session), map);
  } finally {
    await session.release();
  }
});
