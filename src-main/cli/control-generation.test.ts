// `faceid generate --control` on the tiny SD1.5 and the tiny ControlNet: a Canny unit changes the picture and is
// written as sd-webui-controlnet's `ControlNet 0` line (read back as a unit); weight 0 gives the picture without
// control. A T2I-Adapter unit (--t2i, both file layouts) changes the picture the same way from either layout, weight 0
// or a window that ends before the first step gives the picture without it; a T2I-Adapter given as ControlNet (and the
// reverse), an SDXL ControlNet, a control image that is not an image and an SDXL
// checkpoint are refused with the reason. Argument parsing keeps Windows drive letters.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { recallInfotext } from '../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { runCli } from '../../test/helpers/run-cli.ts';
import { writeSafetensorsFile } from '../../test/helpers/write-safetensors.ts';
import { writeTinySdxlControlNet, writeTinySdxlT2IAdapter } from '../../test/helpers/tiny-sdxl-controlnet.ts';
import { buildTinyDepthModel } from '../models/selftest/tiny-depth-model.ts';
import { buildTinyPoseModels } from '../models/selftest/tiny-pose-models.ts';
import { parseControlArgument } from './control-args.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-control-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

const controlnet = fixture('control', 'controlnet-tiny');
const photo = fixture('control', 'control_images', 'photo_128.png');
const base = ['generate', '--model', fixture('sd15-tiny'), '--prompt', 'a person on a beach', '--steps', '2', '--size', '64x64', '--seed', '5'];

async function picture(name: string, extra: readonly string[]): Promise<{ png: Buffer; stderr: string }> {
  const out = path.join(work, name);
  const result = await runCli([...base, ...extra, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  return { png: readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.png'))!)), stderr: result.stderr };
}

test('a Canny unit changes the picture and is written as a ControlNet line that reads back; weight 0 is the picture without control', async () => {
  const plain = await picture('plain', []);
  const controlled = await picture('canny', ['--control', `${controlnet}:${photo}:0.9:0:0.5`, '--preprocess', 'canny']);
  assert.notDeepEqual(controlled.png, plain.png);
  const parameters = readPngTexts(controlled.png).parameters ?? '';
  assert.match(parameters, /ControlNet 0: "Module: canny, Model: controlnet-tiny, Weight: 0\.9, Guidance Start: 0, Guidance End: 0\.5, Threshold A: 100, Threshold B: 200"/u);
  assert.deepEqual(recallInfotext(parameters).control, [{ modelName: 'controlnet-tiny', preprocess: 'canny', weight: 0.9, start: 0, end: 0.5, low: 100, high: 200 }]);
  const weightless = await picture('weight-0', ['--control', `${controlnet}:${photo}:0`]);
  const pixels = async (png: Buffer) => sharp(png).raw().toBuffer();
  assert.deepEqual(await pixels(weightless.png), await pixels(plain.png), 'a unit at weight 0 adds exact zeros');
});

test('a T2I-Adapter unit changes the picture, the same from both layouts; weight 0 and a closed window leave it as without', async () => {
  const plain = await picture('t2i-plain', []);
  const diffusers = await picture('t2i-diffusers', ['--t2i', `${fixture('control', 't2iadapter-tiny')}:${photo}:0.8`]);
  const original = await picture('t2i-original', ['--t2i', `${fixture('control', 't2iadapter_tiny_sd15v2.pth')}:${photo}:0.8`]);
  const pixels = async (png: Buffer) => sharp(png).raw().toBuffer();
  assert.notDeepEqual(await pixels(diffusers.png), await pixels(plain.png), 'the adapter changes the picture');
  assert.deepEqual(await pixels(original.png), await pixels(diffusers.png), 'TencentARC .pth and diffusers folder are the same adapter');
  assert.match(readPngTexts(diffusers.png).parameters ?? '', /ControlNet 0: "Module: none, Model: t2iadapter-tiny, Weight: 0\.8, Guidance Start: 0, Guidance End: 1"/u);
  assert.deepEqual(await pixels((await picture('t2i-weight-0', ['--t2i', `${fixture('control', 't2iadapter-tiny')}:${photo}:0`])).png), await pixels(plain.png));
  // With 2 steps a window [0, 0.4] acts at no step (diffusers' keep rule: (i + 1) / n must not pass the end).
  assert.deepEqual(await pixels((await picture('t2i-closed', ['--t2i', `${fixture('control', 't2iadapter-tiny')}:${photo}:1:0:0.4`])).png), await pixels(plain.png));
  const both = await picture('t2i-and-cn', ['--control', `${controlnet}:${photo}:0.5`, '--t2i', `${fixture('control', 't2iadapter-tiny')}:${photo}:0.8`, '--preprocess', 'canny', '--preprocess', 'none']);
  assert.notDeepEqual(await pixels(both.png), await pixels(diffusers.png), 'a ControlNet and a T2I-Adapter act together');
});

test('bad control input is refused with the reason: a T2I-Adapter as ControlNet, an SDXL ControlNet, a non-image, an SDXL checkpoint', async () => {
  const refused = async (extra: readonly string[], model = fixture('sd15-tiny')) => {
    const result = await runCli([...base.map((a) => (a === fixture('sd15-tiny') ? model : a)), ...extra, '--out', path.join(work, 'never')]);
    assert.equal(result.code, 1, result.stdout);
    return result.stderr;
  };
  assert.match(await refused(['--control', `${fixture('control', 't2iadapter-tiny')}:${photo}`]), /t2iadapter-tiny is a T2I-Adapter, not a ControlNet/u);
  assert.match(await refused(['--t2i', `${controlnet}:${photo}`]), /controlnet-tiny is a ControlNet, not a T2I-Adapter/u);
  const sdxlControlNet = path.join(work, 'controlnet-sdxl.safetensors');
  await writeSafetensorsFile(sdxlControlNet, {
    'controlnet_cond_embedding.conv_in.weight': { dtype: 'F32', shape: [2, 3, 1, 1], data: [1, 2, 3, 4, 5, 6] },
    'add_embedding.linear_1.weight': { dtype: 'F32', shape: [1, 2], data: [1, 2] },
  });
  assert.match(await refused(['--control', `${sdxlControlNet}:${photo}`]), /controlnet-sdxl is an SDXL control model; the checkpoint sd15-tiny is SD1\.5/u);
  const notes = path.join(work, 'pose.png');
  writeFileSync(notes, 'not a picture');
  assert.match(await refused(['--control', `${controlnet}:${notes}`]), /pose\.png is not an image format FaceID Studio can read/u);
  assert.match(await refused(['--control', `${controlnet}:${photo}`], fixture('sdxl', 'sdxl-tiny')), /controlnet-tiny is an SD1\.5 control model; the checkpoint sdxl-tiny is SDXL/u);
  assert.match(await refused(['--control', `${controlnet}:${photo}`, '--preprocess', 'normal']), /--preprocess normal is not one this version runs \(canny, openpose, openpose_hand, openpose_face, openpose_full, depth, none\)/u);
  assert.match(await refused(['--control', `${controlnet}:${photo}`, '--preprocess', 'depth']), /The depth preprocessor needs Depth Anything V2/u);
  assert.match(await refused(['--control', `${controlnet}:${photo}`, '--preprocess', 'openpose']), /The OpenPose preprocessor needs DWPose's two models/u);
});

test('an SDXL ControlNet (diffusers form, from_unet of the SDXL UNet) and an SDXL T2I-Adapter steer an SDXL picture; weight 0 is the picture without', async () => {
  const sdxlBase = base.map((a) => (a === fixture('sd15-tiny') ? fixture('sdxl', 'sdxl-tiny') : a));
  const run = async (name: string, extra: readonly string[]) => {
    const out = path.join(work, name);
    const result = await runCli([...sdxlBase, ...extra, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    return sharp(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.png'))!))).raw().toBuffer();
  };
  const sdxlControlNet = await writeTinySdxlControlNet(path.join(work, 'controlnet-sdxl-tiny'));
  const plain = await run('sdxl-plain', []);
  assert.notDeepEqual(await run('sdxl-canny', ['--control', `${sdxlControlNet}:${photo}`, '--preprocess', 'canny']), plain);
  assert.deepEqual(await run('sdxl-weight-0', ['--control', `${sdxlControlNet}:${photo}:0`]), plain);
  // SDXL's full_adapter_xl: its four features go to the three down levels and after the mid block.
  const adapterXl = await writeTinySdxlT2IAdapter(path.join(work, 't2iadapter-sdxl-tiny'));
  assert.notDeepEqual(await run('sdxl-t2i', ['--t2i', `${adapterXl}:${photo}`]), plain);
  assert.deepEqual(await run('sdxl-t2i-weight-0', ['--t2i', `${adapterXl}:${photo}:0`]), plain);
});

test('--preprocess openpose_full and depth with --annotators: DWPose and Depth Anything are found in the folder by content and the units run', async () => {
  const folder = path.join(work, 'annotator', 'downloads', 'openpose');
  mkdirSync(folder, { recursive: true });
  const models = buildTinyPoseModels(11);
  writeFileSync(path.join(folder, 'person-detector.onnx'), models.detector);
  writeFileSync(path.join(folder, 'keypoints.onnx'), models.pose);
  writeFileSync(path.join(work, 'annotator', 'depth.onnx'), buildTinyDepthModel(3));
  const posed = await picture('openpose', ['--control', `${controlnet}:${photo}:0.8`, '--preprocess', 'openpose_full', '--annotators', path.join(work, 'annotator')]);
  assert.match(readPngTexts(posed.png).parameters ?? '', /ControlNet 0: "Module: openpose_full, Model: controlnet-tiny, Weight: 0\.8/u);
  const deep = await picture('depth', ['--control', `${controlnet}:${photo}:0.8`, '--preprocess', 'depth', '--annotators', path.join(work, 'annotator')]);
  assert.match(readPngTexts(deep.png).parameters ?? '', /ControlNet 0: "Module: depth, Model: controlnet-tiny/u);
});

test('--control: numbers from the right, drive letters kept, an incomplete window refused', () => {
  assert.deepEqual(parseControlArgument('cn.safetensors:pose.png'), { model: path.resolve('cn.safetensors'), image: path.resolve('pose.png') });
  assert.deepEqual(parseControlArgument('cn:edges.png:0.7:0.1:0.9'), { model: path.resolve('cn'), image: path.resolve('edges.png'), weight: 0.7, start: 0.1, end: 0.9 });
  const windows = parseControlArgument('C:\\models\\cn.pth:D:\\pics\\a.png:1.2');
  assert.deepEqual([windows.weight, windows.model.endsWith('C:\\models\\cn.pth'), windows.image.endsWith('D:\\pics\\a.png')], [1.2, true, true]);
  assert.throws(() => parseControlArgument('cn:a.png:1:0.5'), /give WEIGHT, or WEIGHT:START:END/u);
  assert.throws(() => parseControlArgument('just-one-path'), /CONTROLNET:IMAGE/u);
});
