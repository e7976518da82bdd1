// Issue #6 acceptance 2 through the CLI: `faceid generate --replay-golden` (the hidden test entry point) on the tiny
// SD1.5 must give the final image each pipeline golden recorded (pipelineImage), feeding the golden's noise,
// starting latents, prompt embeddings and FaceID tokens. The float pixels from --json are compared, not the PNG,
// whose 8-bit steps (1/255) are coarser than the tolerance. Steps, cfg, size and scheduler come from the golden.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { compareWithTolerance, loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-replay-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

/** The `faceid generate` arguments that describe a golden's run (its notes name scheduler, steps and cfg). */
async function replayArgs(golden: string): Promise<{ args: string[]; expected: Float32Array }> {
  const { tensors, metadata } = await loadGoldenTensors(golden);
  const notes = metadata.notes ?? '';
  assert.match(notes, /^DDIMScheduler\(/u, `${golden}: only DDIM goldens map onto a sampler here`);
  const steps = /\) (\d+) steps/u.exec(notes)?.[1];
  const cfg = /cfg (\d+(?:\.\d+)?)/u.exec(notes)?.[1];
  assert.ok(steps && cfg, `${golden}: steps and cfg are in its notes`);
  const image = tensors.get('image_out_np_hwc01')!;
  const [height, width] = image.shape as [number, number];
  const args = ['--prompt', '(replayed)', '--sampler', 'DDIM', '--steps', steps, '--cfg', cfg, '--size', `${width}x${height}`, '--seed', '0'];
  return { args, expected: image.data };
}

async function generateReplayed(t: TestContext, name: string, extra: string[]): Promise<void> {
  const golden = fixture('goldens', `${name}.safetensors`);
  const { args, expected } = await replayArgs(golden);
  const out = path.join(work, name);
  const { code, stdout, stderr } = await runCli(['generate', '--model', fixture('sd15-tiny'), ...args, ...extra, '--replay-golden', golden, '--out', out, '--json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as { images: { file: string }[] };
  assert.equal(summary.images.length, 1);
  assert.ok(existsSync(summary.images[0]!.file), 'the PNG is written as usual');
  const json = JSON.parse(readFileSync(summary.images[0]!.file.replace(/\.png$/u, '.json'), 'utf8')) as { imageHwc01?: number[] };
  assert.ok(json.imageHwc01, 'the replayed image carries its float pixels');
  const { comparison, result } = compareWithTolerance(`${name}/cli.image_out`, json.imageHwc01, expected, 'pipelineImage');
  t.diagnostic(`${result.name}: max abs error ${comparison.error} (tolerance ${result.tolerance})`);
  assert.ok(result.passed, `${result.name}: ${result.metric} error ${comparison.error} > ${result.tolerance} (${result.detail})`);
}

test('faceid generate --replay-golden reproduces pipe_txt2img', (t) => generateReplayed(t, 'pipe_txt2img', []));

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
