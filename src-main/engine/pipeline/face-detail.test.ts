// The face detail pass: the crop square and ellipse geometry (exact, also at the image borders), which faces are
// taken, and whole runs on the tiny SD1.5 model with a detector stand-in: pixels outside the feathered mask identical
// to the picture before the pass, pixels inside repainted, the pass skipped (and said so) when no face is found,
// the infotext keys, and cancel within a step of the face pass.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { recallInfotext } from '../../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { writeSafetensorsFile, type TestTensor } from '../../../test/helpers/write-safetensors.ts';
import type { Detection } from '../face/detect.ts';
import { readTensorBytes } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { chooseFaces, faceRegion, regionMask } from '../face/face-region.ts';
import { SessionPool } from '../onnx/session-pool.ts';
import { generate, type PassStepEvent } from './generate.ts';
import { ModelLoader } from './model-loader.ts';

const detection = (x1: number, y1: number, x2: number, y2: number, score = 0.9): Detection => ({ box: [x1, y1, x2, y2], score, landmarks: [] });

test('the crop square is centred on the face, slides inside at the borders and shrinks only to the picture', () => {
  // 20×30 box, padding 0.5: side = round(30 · 2) = 60.
  assert.deepEqual(faceRegion(detection(90, 85, 110, 115), 200, 160, 0.5), { left: 70, top: 70, side: 60, cx: 100, cy: 100, rx: 11.5, ry: 17.25 });
  // Top-left corner: the square starts at 0, 0; the ellipse is cut by the picture's border only through its centre side.
  const corner = faceRegion(detection(-4, 2, 16, 32), 200, 160, 0.5);
  assert.deepEqual([corner.left, corner.top, corner.side, corner.cx, corner.cy], [0, 0, 60, 6, 17]);
  assert.deepEqual([corner.rx, corner.ry], [6, 17], 'the ellipse ends at the picture\'s edge');
  // Bottom-right: the square ends at the last pixel.
  const far = faceRegion(detection(185, 140, 205, 170), 200, 160, 0.5);
  assert.deepEqual([far.left, far.top, far.side], [140, 100, 60]);
  // A face larger than the picture allows: the square is the picture's shorter side.
  const huge = faceRegion(detection(10, 10, 150, 150), 200, 160, 1);
  assert.deepEqual([huge.left, huge.top, huge.side], [0, 0, 160]);
  // The mask is 0 outside the ellipse (and so outside the square), 1 at its centre.
  const mask = regionMask(far, 0.3, far.side);
  assert.equal(mask[0], 0);
  assert.equal(mask[Math.round(far.cy - far.top) * far.side + Math.round(far.cx - far.left) - 1], 1);
});

test('largest, all, an index, and faces below the minimum size', () => {
  const small = detection(0, 0, 10, 10);
  const big = detection(50, 50, 90, 100, 0.7);
  assert.deepEqual(chooseFaces([small, big], 'largest', 0).faces, [big]);
  assert.deepEqual(chooseFaces([small, big], 'all', 20).faces, [big]);
  assert.deepEqual(chooseFaces([small, big], 0, 0).faces, [small]);
  assert.match(chooseFaces([small, big], 0, 20).skipped!, /smaller than 20 px/u);
  assert.match(chooseFaces([small], 3, 0).skipped!, /Face 4 was chosen but the image has only 1 face/u);
  assert.match(chooseFaces([], 'largest', 0).skipped!, /No face was found/u);
});

// One loader for the runs below: the tiny model compiles once.
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'faceid-facedetail-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));
const shared = new ModelLoader({ cacheDir, pool: new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] }) });
const base = { model: fixture('sd15-tiny'), prompt: 'a photo of a woman', seed: 21, steps: 4, cfg: 5, sampler: 'Euler a' as const, width: 96, height: 80 };

async function rgb(png: Uint8Array): Promise<Buffer> {
  return sharp(png).removeAlpha().raw().toBuffer();
}

test('a face pass on the tiny model: outside the feathered ellipse every pixel is the picture before; inside it is repainted', async () => {
  const face = detection(52, 30, 84, 70);
  const steps: string[] = [];
  const [image] = await generate(
    { ...base, faceDetail: { size: 64, strength: 0.5, padding: 0.25, prompt: 'detailed eyes' } },
    { loader: shared, detectFaces: async () => [face], onStep: (e: PassStepEvent) => void steps.push(`${e.pass} ${e.step}/${e.total}`) },
  );
  assert.deepEqual(steps, ['generate 1/4', 'generate 2/4', 'generate 3/4', 'generate 4/4', 'face-detail 1/2', 'face-detail 2/2']);
  assert.equal(image!.faceDetail?.repainted, 1);
  const before = await rgb(image!.faceDetail!.before!.png);
  const after = await rgb(image!.png);
  const region = faceRegion(face, base.width, base.height, 0.25);
  // A face at the right border: the square slid inwards.
  assert.deepEqual([region.left, region.top, region.side], [36, 20, 60]);
  const mask = regionMask(region, 0.3, region.side);
  let changedInside = 0;
  let inside = 0;
  for (let y = 0; y < base.height; y++) {
    for (let x = 0; x < base.width; x++) {
      const i = x - region.left;
      const j = y - region.top;
      const m = i >= 0 && j >= 0 && i < region.side && j < region.side ? mask[j * region.side + i]! : 0;
      const p = (y * base.width + x) * 3;
      const same = before[p] === after[p] && before[p + 1] === after[p + 1] && before[p + 2] === after[p + 2];
      if (m === 0) assert.ok(same, `pixel ${x},${y} outside the mask changed`);
      else if (m === 1) (inside++, (changedInside += same ? 0 : 1));
    }
  }
  assert.ok(inside > 100 && changedInside > inside / 2, `${changedInside} of ${inside} fully masked pixels repainted`);
  const recalled = recallInfotext(readPngTexts(image!.png).parameters!);
  assert.deepEqual([recalled.params.faceDetail?.faces, recalled.params.faceDetail?.strength, recalled.params.faceDetail?.prompt], ['largest', 0.5, 'detailed eyes']);
  assert.equal(recallInfotext(image!.faceDetail!.before!.parameters).params.faceDetail, undefined, 'the picture before has no face pass in its parameters');
});

test('no face found: the pass is skipped, says so, and the picture is the one without the pass', async () => {
  const models = shared;
  const [plain] = await generate(base, { loader: models });
  const passes = new Set<string>();
  const [image] = await generate({ ...base, faceDetail: { size: 64 } }, { loader: models, detectFaces: async () => [], onStep: (e: PassStepEvent) => void passes.add(e.pass) });
  assert.deepEqual(image!.faceDetail, { repainted: 0, skipped: 'No face was found in the image, so the face detail pass was skipped.' });
  assert.deepEqual([...passes], ['generate']);
  assert.deepEqual(await rgb(image!.png), await rgb(plain!.png));
});

test('cancel during the face pass stops within a step; without a detector the pass is refused before any work', async () => {
  const controller = new AbortController();
  const afterAbort: string[] = [];
  const run = generate({ ...base, steps: 8, faceDetail: { size: 64, strength: 1 } }, {
    loader: shared,
    signal: controller.signal,
    detectFaces: async () => [detection(20, 20, 60, 60)],
    onStep: (e: PassStepEvent) => {
      if (controller.signal.aborted) afterAbort.push(`${e.pass} ${e.step}`);
      if (e.pass === 'face-detail' && e.step === 2) controller.abort();
    },
  });
  await assert.rejects(run, { code: 'cancelled' });
  assert.deepEqual(afterAbort, []);
  await assert.rejects(generate({ ...base, faceDetail: {} }, { loader: shared }), { code: 'face.model-missing' });
});

/** The tiny SD1.5 folder with its UNet's conv_in widened to 9 channels (mask and masked-image latents weighted 0.05). */
async function tinyInpaintingModel(): Promise<string> {
  const folder = path.join(cacheDir, 'sd15-tiny-inpainting');
  mkdirSync(path.join(folder, 'unet'), { recursive: true });
  for (const part of ['model_index.json', 'scheduler', 'text_encoder', 'tokenizer', 'vae']) symlinkSync(fixture('sd15-tiny', part), path.join(folder, part));
  cpSync(fixture('sd15-tiny', 'unet', 'config.json'), path.join(folder, 'unet', 'config.json'));
  const unet = await readSafetensors(fixture('sd15-tiny', 'unet', 'diffusion_pytorch_model.safetensors'));
  const tensors: Record<string, TestTensor> = {};
  for (const [name, d] of unet.tensors) tensors[name] = { dtype: 'F32', shape: d.shape, data: await readTensorBytes(d) };
  const original = tensors['conv_in.weight']!;
  const [out, inChannels, kh, kw] = original.shape as [number, number, number, number];
  const values = new Float32Array((original.data as Uint8Array).slice().buffer);
  const wide = new Float32Array(out * 9 * kh * kw).fill(0.05);
  for (let o = 0; o < out; o++) wide.set(values.subarray(o * inChannels * kh * kw, (o + 1) * inChannels * kh * kw), o * 9 * kh * kw);
  tensors['conv_in.weight'] = { dtype: 'F32', shape: [out, 9, kh, kw], data: new Uint8Array(wide.buffer) };
  await writeSafetensorsFile(path.join(folder, 'unet', 'diffusion_pytorch_model.safetensors'), tensors);
  return folder;
}

test('"Fix face" on a 9-channel inpainting model: an existing picture at its own size, outside the mask untouched', async () => {
  const [plain] = await generate({ ...base, width: 72, height: 64 }, { loader: shared });
  const source = path.join(cacheDir, 'source.png');
  writeFileSync(source, plain!.png);
  const face = detection(4, 10, 34, 44);
  const [fixed] = await generate(
    { ...base, model: await tinyInpaintingModel(), width: 72, height: 64, faceDetail: { size: 64, strength: 0.7, sourceImage: source } },
    { loader: shared, detectFaces: async () => [face] },
  );
  assert.deepEqual([fixed!.width, fixed!.height, fixed!.faceDetail?.repainted, fixed!.faceDetail?.before], [72, 64, 1, undefined], 'the source is the picture before');
  const region = faceRegion(face, 72, 64, 0.6);
  const mask = regionMask(region, 0.3, region.side);
  const [before, after] = [await rgb(plain!.png), await rgb(fixed!.png)];
  let changed = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 72; x++) {
      const i = x - region.left;
      const j = y - region.top;
      const m = i >= 0 && j >= 0 && i < region.side && j < region.side ? mask[j * region.side + i]! : 0;
      const p = (y * 72 + x) * 3;
      const same = before.subarray(p, p + 3).equals(after.subarray(p, p + 3));
      if (m === 0) assert.ok(same, `pixel ${x},${y} outside the mask changed`);
      else if (!same) changed++;
    }
  }
  assert.ok(changed > 100, `${changed} pixels inside the mask repainted`);
  assert.match(readPngTexts(fixed!.png).parameters!, /Size: 72x64, .*Face detail: largest, Face detail strength: 0\.7/u);
});
