// The side-by-side harness on stand-ins (a real stable-diffusion.cpp binary cannot be downloaded here): a child whose
// peak memory is known is measured at it, an engine whose runs report fixed + steps × step is split back into those
// two (synthetic walls: no test depends on this machine's speed), the CLI arguments are stable-diffusion.cpp's and
// ours, and a failing run says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureProcess, oursArgs, sdcppArgs, splitSteps, timeEngine } from '../../bench/side-by-side.ts';

test('a child holding 300 MB is measured at ≥ 300 MB peak RSS; walls and exit codes come back', { skip: process.platform !== 'linux' && 'VmHWM is Linux\'s' }, async () => {
  const run = await measureProcess(process.execPath, ['-e', 'const b = Buffer.alloc(300 * 2 ** 20, 1); setTimeout(() => process.exit(b[7] === 1 ? 0 : 3), 400);']);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.peakRssBytes >= 300 * 2 ** 20, `${run.peakRssBytes}`);
  assert.ok(run.wallSeconds >= 0.4);
});

test('per-step time and fixed cost from two walls', () => {
  assert.deepEqual(splitSteps(2, 10 + 2 * 3, 6, 10 + 6 * 3), { stepSeconds: 3, fixedSeconds: 10 });
});

test('an engine reporting 20 s + 3 s per step splits into those, with the longer run\'s peak; a failure says why', async () => {
  const asked: number[] = [];
  const engine = async (r: { steps: number }) => {
    asked.push(r.steps);
    return { wallSeconds: 20 + 3 * r.steps, peakRssBytes: 1000 * r.steps, code: 0, stderr: '' };
  };
  const result = await timeEngine(engine, { checkpoint: 'x', size: 64, threads: 2, seed: 1 }, 2, 8);
  assert.deepEqual(asked, [2, 2, 8], 'one untimed warm-up run first');
  assert.deepEqual(result, { split: { stepSeconds: 3, fixedSeconds: 20 }, peakRssBytes: 8000 });
  await assert.rejects(timeEngine(() => measureProcess(process.execPath, ['-e', 'console.error("no model"); process.exit(2)']), { checkpoint: 'x', size: 64, threads: 2, seed: 1 }, 2, 4), /the run failed \(2\): no model/u);
});

test('the same txt2img for both CLIs: size, steps, CFG 7.5, Euler, seed, threads; ours in the memory mode Automatic picks on 16 GB', () => {
  const request = { checkpoint: '/m/sd15.safetensors', size: 512, steps: 4, threads: 2, seed: 9, out: '/tmp/o' };
  const sd = sdcppArgs(request);
  for (const [flag, value] of [['-m', '/m/sd15.safetensors'], ['--steps', '4'], ['-W', '512'], ['-H', '512'], ['--cfg-scale', '7.5'], ['--sampling-method', 'euler'], ['-t', '2'], ['-s', '9']]) assert.equal(sd[sd.indexOf(flag!) + 1], value, flag);
  const ours = oursArgs(request, 'src-main/cli/faceid.ts');
  for (const [flag, value] of [['--model', '/m/sd15.safetensors'], ['--steps', '4'], ['--size', '512x512'], ['--cfg', '7.5'], ['--sampler', 'Euler'], ['--seed', '9'], ['--memory', 'compact']]) assert.equal(ours[ours.indexOf(flag!) + 1], value, flag);
});
