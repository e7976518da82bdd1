// Issue #6 acceptance 2 through the CLI: `faceid generate --replay-golden` (the hidden test entry point) on the tiny
// SD1.5 must give every step's latents (pipelineLatents) and the final image (pipelineImage) each pipeline golden
// recorded, feeding the golden's noise, starting latents, prompt embeddings, FaceID tokens and float init image and
// mask (img2img/inpaint still name --init/--mask files, which choose the mode as for any user; the replay puts the
// recorded floats in their place, as no image file holds them exactly). The float pixels from --json are compared,
// not the PNG, whose 8-bit steps (1/255) are coarser than the tolerance. Steps, cfg, strength, size and scheduler
// come from the golden.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { compareWithTolerance, loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-replay-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

type Golden = Map<string, { data: Float32Array; shape: readonly number[] }>;

/** HWC floats in [0,1] (3 channels, or 1 for a mask) as an 8-bit RGB PNG. */
async function writePng(file: string, hwc: { data: Float32Array; shape: readonly number[] }): Promise<string> {
  const [height, width, channels] = hwc.shape as [number, number, number];
  const rgb = new Uint8Array(height * width * 3).map((_, i) => Math.round(hwc.data[Math.floor(i / 3) * channels + (channels === 1 ? 0 : i % 3)]! * 255));
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}

/** The `faceid generate` arguments that describe a golden's run (its notes name scheduler, steps, cfg and strength). */
async function replayArgs(golden: string, dir: string): Promise<{ args: string[]; tensors: Golden }> {
  const { tensors, metadata } = await loadGoldenTensors(golden);
  const notes = metadata.notes ?? '';
  assert.match(notes, /^DDIMScheduler\(/u, `${golden}: only DDIM goldens map onto a sampler here`);
  const steps = /\) (\d+) steps/u.exec(notes)?.[1];
  const cfg = /cfg (\d+(?:\.\d+)?)/u.exec(notes)?.[1];
  assert.ok(steps && cfg, `${golden}: steps and cfg are in its notes`);
  const [height, width] = tensors.get('image_out_np_hwc01')!.shape as [number, number];
  const args = ['--prompt', '(replayed)', '--sampler', 'DDIM', '--steps', steps, '--cfg', cfg, '--size', `${width}x${height}`, '--seed', '0'];
  const init = tensors.get('image_np_hwc01');
  if (init) {
    const strength = /strength (\d+(?:\.\d+)?)/u.exec(notes)?.[1];
    assert.ok(strength, `${golden}: an init-image golden names its strength`);
    args.push('--init', await writePng(path.join(dir, 'init.png'), init), '--strength', strength);
  }
  const mask = tensors.get('mask_np_hwc');
  if (mask) args.push('--mask', await writePng(path.join(dir, 'mask.png'), mask), '--mask-blur', '0');
  return { args, tensors };
}

function assertWithin(t: TestContext, name: string, actual: readonly number[] | undefined, expected: Float32Array, kind: 'pipelineImage' | 'pipelineLatents'): void {
  assert.ok(actual, `${name} is in the JSON`);
  const { comparison, result } = compareWithTolerance(name, actual, expected, kind);
  t.diagnostic(`${result.name}: ${result.metric} error ${comparison.error} (tolerance ${result.tolerance})`);
  assert.ok(result.passed, `${result.name}: ${result.metric} error ${comparison.error} > ${result.tolerance} (${result.detail})`);
}

async function generateReplayed(t: TestContext, name: string, extra: string[]): Promise<void> {
  const golden = fixture('goldens', `${name}.safetensors`);
  const out = path.join(work, name);
  mkdirSync(out, { recursive: true });
  const { args, tensors } = await replayArgs(golden, out);
  const { code, stdout, stderr } = await runCli(['generate', '--model', fixture('sd15-tiny'), ...args, ...extra, '--replay-golden', golden, '--out', out, '--json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as { images: { file: string }[] };
  assert.equal(summary.images.length, 1);
  assert.ok(existsSync(summary.images[0]!.file), 'the PNG is written as usual');
  const json = JSON.parse(readFileSync(summary.images[0]!.file.replace(/\.png$/u, '.json'), 'utf8')) as { imageHwc01?: number[]; stepLatents?: Record<string, number[]> };
  const stepKeys = [...tensors.keys()].filter((k) => /^step\d+_(unet_in|latents_after)$/u.test(k));
  assert.ok(stepKeys.length >= 2, `${name} records its steps`);
  assert.deepEqual(Object.keys(json.stepLatents ?? {}).sort(), stepKeys.sort(), 'one latent per recorded step, no more');
  for (const key of stepKeys) assertWithin(t, `${name}/cli.${key}`, json.stepLatents?.[key], tensors.get(key)!.data, 'pipelineLatents');
  assertWithin(t, `${name}/cli.image_out`, json.imageHwc01, tensors.get('image_out_np_hwc01')!.data, 'pipelineImage');
}

test('faceid generate --replay-golden reproduces pipe_txt2img', (t) => generateReplayed(t, 'pipe_txt2img', []));

test('faceid generate --replay-golden reproduces pipe_img2img (recorded init image, strength from the golden)', (t) => generateReplayed(t, 'pipe_img2img', []));

test('faceid generate --replay-golden reproduces pipe_inpaint (init image + binary mask, mask blur 0, 4-channel latent blend)', (t) => generateReplayed(t, 'pipe_inpaint', []));

test('faceid generate --replay-golden reproduces pipe_txt2img_faceid (golden IP tokens, adapter LoRA 1.0, scale 1.0)', (t) =>
  generateReplayed(t, 'pipe_txt2img_faceid', ['--faceid', fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'), '--face-weight', '1', '--lora-weight', '1']));

test('--replay-golden with a missing file or a golden that is no pipeline golden: a failure naming the file', async () => {
  for (const file of [path.join(work, 'missing.safetensors'), fixture('goldens', 'scheduler_ddim.safetensors')]) {
    const { code, stderr } = await runCli(['generate', '--model', fixture('sd15-tiny'), '--prompt', 'x', '--size', '64x64', '--replay-golden', file, '--out', path.join(work, 'bad')]);
    assert.notEqual(code, 0);
    assert.ok(stderr.includes(path.basename(file)), stderr);
  }
  assert.equal(existsSync(path.join(work, 'bad')), false, 'nothing was written');
  const batch = await runCli(['generate', '--model', fixture('sd15-tiny'), '--prompt', 'x', '--size', '64x64', '--batch', '2', '--replay-golden', fixture('goldens', 'pipe_txt2img.safetensors'), '--out', path.join(work, 'bad')]);
  assert.notEqual(batch.code, 0);
  assert.match(batch.stderr, /batch size 2/u);
});

test('--replay-golden is hidden from the usage text', async () => {
  const { stdout, stderr } = await runCli(['generate', '--help']);
  assert.ok(`${stdout}${stderr}`.includes('--model'), 'the usage was printed');
  assert.equal(`${stdout}${stderr}`.includes('replay'), false);
});
