import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseA1111Parameters } from '../../../src-preload/contract/a1111-parameters.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli, type CliResult } from '../../../test/helpers/run-cli.ts';
import { EngineClient } from '../../engine/worker/engine-client.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-cli-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): Promise<CliResult> {
  return runCli(['generate', ...args]);
}

const base = ['--model', fixture('sd15-tiny'), '--prompt', 'a photo of a woman, (red coat:1.2)', '--negative', 'lowres, blurry', '--steps', '3', '--cfg', '6.5', '--sampler', 'DPM++ 2M Karras', '--size', '64x64', '--clip-skip', '2'];

test('writes PNGs whose A1111 parameters parse back to the same settings, plus JSON with --json', async () => {
  const out = path.join(work, 'a');
  const { code, stdout, stderr } = await cli([...base, '--seed', '123', '--batch', '2', '--out', out, '--json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as { images: { file: string; seed: number }[] };
  assert.deepEqual(summary.images.map((i) => path.basename(i.file)), ['00000-123.png', '00001-124.png']);
  const png = readFileSync(summary.images[1]!.file);
  const parsed = parseA1111Parameters(readPngTexts(png).parameters ?? '');
  assert.deepEqual(parsed.params, {
    prompt: 'a photo of a woman, (red coat:1.2)', negativePrompt: 'lowres, blurry', steps: 3, sampler: 'DPM++ 2M Karras', cfg: 6.5, seed: 124, width: 64, height: 64, clipSkip: 2,
  });
  const json = JSON.parse(readFileSync(summary.images[1]!.file.replace(/\.png$/u, '.json'), 'utf8')) as { seed: number; steps: number };
  assert.equal(json.seed, 124);
  assert.equal(json.steps, 3);
  assert.ok(stderr.includes('generate'), 'a progress bar was drawn');
});

test('the same seed and parameters write identical bytes (a second run of the first test\'s command)', async () => {
  const again = path.join(work, 'b');
  assert.equal((await cli([...base, '--seed', '123', '--batch', '2', '--out', again])).code, 0);
  const read = (dir: string, name: string) => readFileSync(path.join(dir, name));
  assert.deepEqual(readdirSync(again), ['00000-123.png', '00001-124.png']);
  assert.deepEqual(read(again, '00001-124.png'), read(path.join(work, 'a'), '00001-124.png'));
});

test('absurd parameters are refused with a clear message before any work', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--steps', '0'], /steps/],
    [['--steps', '10000'], /steps/],
    [['--cfg', 'NaN'], /cfg/i],
    [['--size', '513x512'], /multiple of 8/],
    [['--init', fixture('face', 'models', 'det_10g.onnx'), '--strength', '-0.5'], /strength/],
    [['--sampler', 'Heun'], /unknown sampler/i],
    [['--seed', '18446744073709551616'], /2\^64/],
    [['--lora', 'style.safetensors'], /FILE:STRENGTH/],
    [['--prompt', 'a cat <lora:film grain:0.5>'], /LoRA "film grain".*--lora/s],
    [['--prompt', 'a cat <lora:style:strong>', '--lora', 'style.safetensors:1'], /weight that is not a number/],
    [['--mask-blur', '4'], /--mask-blur needs --mask/],
    [['--memory', 'huge'], /--memory must be one of auto, fast, compact/],
    [['--init', fixture('face', 'models', 'det_10g.onnx'), '--mask', fixture('face', 'models', 'det_10g.onnx'), '--mask-blur=-3'], /featherPx/],
    [['--hires-steps', '10'], /--hires-steps needs --hires/],
    [['--hires', '1.5', '--hires-upscaler', 'ESRGAN'], /unknown hires upscaler/i],
    [['--hires', '40'], /hires upscale must be at most 4/],
    [['--hires', '1.5', '--init', fixture('face', 'models', 'det_10g.onnx')], /hires fix .* does not apply to image-to-image/],
  ];
  // "Before any work" is counted, not timed: the engine (which would compile and load the model) is never started.
  const engineStarts = t.mock.method(EngineClient, 'start');
  for (const [args, message] of cases) {
    const out = path.join(work, 'never');
    const { code, stderr } = await cli([...base, ...args, '--out', out]);
    assert.equal(code, 1, args.join(' '));
    assert.match(stderr, message, args.join(' '));
    assert.equal(engineStarts.mock.callCount(), 0, `${args.join(' ')}: refused before the engine started`);
    assert.ok(!existsSync(out));
  }
});

test('--hires runs the two passes: the PNG has the target size and A1111\'s hires keys', async () => {
  const out = path.join(work, 'hires');
  const { code, stdout, stderr } = await cli([...base, '--seed', '5', '--hires', '1.5', '--hires-steps', '2', '--hires-denoise', '0.5', '--hires-upscaler', 'latent (nearest-exact)', '--out', out]);
  assert.equal(code, 0, stderr);
  const png = readFileSync(stdout.trim());
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [96, 96]);
  const parsed = parseA1111Parameters(readPngTexts(png).parameters ?? '');
  assert.equal(parsed.raw['Size-1'], '64');
  assert.deepEqual([parsed.raw['Hires upscale'], parsed.raw['Hires steps'], parsed.raw['Hires upscaler'], parsed.raw['Denoising strength']], ['1.5', '2', 'Latent (nearest-exact)', '0.5']);
});
