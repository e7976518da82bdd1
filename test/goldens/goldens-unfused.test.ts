// The UNet and VAE goldens with the attention built as MatMul → Softmax → MatMul (compile option `attention:
// 'unfused'`, GOLDEN_ATTENTION=unfused) — the form fp16 compute uses — each printed line a test; goldens.test.ts
// runs everything with the default fused attention.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fixturesRoot, repoRoot } from '../helpers/fixtures.ts';

const run = spawnSync(process.execPath, [path.join(repoRoot, 'test/goldens/run.ts'), fixturesRoot, 'unet', 'vae', 'sdxl-unet', 'sdxl-vae'], {
  cwd: repoRoot,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  env: { ...process.env, GOLDEN_ATTENTION: 'unfused' },
});
const lines = run.stdout.split('\n').filter((l) => /^(pass|FAIL) {2}/.test(l));

test('the unfused-attention UNet and VAE goldens run to the end and pass every line', () => {
  assert.ok(lines.length > 0, `no golden line\n${run.stderr.slice(-4000)}`);
  assert.match(run.stdout, /^goldens: \d+ passed, 0 failed/m, run.stdout.split('\n').filter((l) => !l.startsWith('pass')).join('\n').slice(-4000));
  assert.equal(run.status, 0);
});

for (const line of lines) {
  test(`unfused attention: golden ${line.slice(6).trim().split(/\s+/)[0]}`, () => {
    assert.ok(line.startsWith('pass'), line);
  });
}
