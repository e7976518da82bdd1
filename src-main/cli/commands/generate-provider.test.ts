import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';
import { currentProviderHost, providerSpec, providerUnusableBecause } from '../../engine/onnx/execution-providers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-provider-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

const base = ['generate', '--model', fixture('sd15-tiny'), '--prompt', 'a portrait', '--steps', '2', '--size', '64x64', '--seed', '7'];

test('--provider chooses the execution provider for one job; one that cannot run here falls back to CPU and says why', async () => {
  const out = path.join(work, 'cuda');
  const { code, stderr } = await runCli([...base, '--provider', 'cuda', '--out', out]);
  assert.equal(code, 0, stderr);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.png')).length, 1);
  const unusable = await providerUnusableBecause(providerSpec('cuda')!, currentProviderHost());
  if (unusable) assert.ok(stderr.includes(`execution provider: cpu (not used — cuda: ${unusable})`), stderr);
  else assert.match(stderr, /execution provider: (cuda|cpu \(not used — cuda: .+\))/);

  const cpu = await runCli([...base, '--provider', 'cpu', '--out', path.join(work, 'cpu')]);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.match(cpu.stderr, /execution provider: cpu\n/);
});

test('an unknown --provider is refused before any work, naming the choices', async () => {
  const { code, stderr } = await runCli([...base, '--provider', 'tpu', '--out', path.join(work, 'none')]);
  assert.notEqual(code, 0);
  assert.match(stderr, /--provider must be one of auto, cpu, cuda, dml, coreml, webgpu, got "tpu"/);
});
