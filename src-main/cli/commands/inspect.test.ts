import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

test('faceid inspect prints kind, variant, counts, sha256 and the FaceID licence hint', async () => {
  const file = fixture('ipadapter-tiny', 'ip-adapter-faceid-portrait_sd15_tiny.bin');
  const { code, stdout, stderr } = await runCli(['inspect', file]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^kind:\s+ip-adapter$/m);
  assert.match(stdout, /^variant:\s+faceid-portrait$/m);
  assert.match(stdout, /^base:\s+sd15$/m);
  assert.match(stdout, /^tensors:\s+38$/m);
  assert.match(stdout, /^dtypes:\s+F16$/m);
  assert.match(stdout, /^licence:.*non-commercial/m);
  const expected = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.match(stdout, new RegExp(`^sha256:\\s+${expected}$`, 'm'));
  assert.match(stderr, /sha256 .*done/, 'progress goes to stderr');
});

test('faceid inspect --json describes a diffusers folder with one hash per weight file', async () => {
  const { code, stdout } = await runCli(['inspect', fixture('sd15-tiny'), '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as { kind: string; architecture: string; layout: string; files: string[]; sha256: Record<string, string>; licenceHint?: string };
  assert.deepEqual([report.kind, report.architecture, report.layout], ['checkpoint', 'sd15', 'diffusers']);
  assert.equal(report.files.length, 3);
  assert.deepEqual(Object.keys(report.sha256).sort(), [...report.files].sort());
  assert.equal(report.licenceHint, undefined);
});

test('faceid inspect on a file that is not a model exits 1 with the typed message', async () => {
  const { code, stderr } = await runCli(['inspect', fixture('sd15-tiny', 'model_index.json'), '--no-hash']);
  assert.equal(code, 1);
  assert.match(stderr, /model_index\.json is not a model file we can read/);
});
