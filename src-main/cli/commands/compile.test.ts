import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { parseLoraArgument } from './compile.ts';
import { runCli, type CliResult } from '../../../test/helpers/run-cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-compile-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): Promise<CliResult> {
  return runCli(['compile', ...args, '--cache', path.join(work, 'cache')]);
}

test('--lora FILE:STRENGTH splits at the last colon; a bare file has no strength', () => {
  assert.deepEqual(parseLoraArgument('/loras/a.safetensors:0.6'), { file: '/loras/a.safetensors', strength: 0.6 });
  assert.deepEqual(parseLoraArgument('C:\\loras\\a.safetensors:1'), { file: 'C:\\loras\\a.safetensors', strength: 1 });
  assert.deepEqual(parseLoraArgument('C:\\loras\\a.safetensors'), { file: 'C:\\loras\\a.safetensors' });
});

test('compiles a single file with its configs, adapter and a LoRA, and prints components, time and disk used', async () => {
  const result = await cli([
    fixture('sd15-tiny.safetensors'),
    '--configs', fixture('sd15-tiny'),
    '--adapter', fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin'),
    '--lora', `${fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors')}:0.6`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Compiled sd15-tiny\.safetensors \(sd15\) in [\d.]+ s/);
  assert.match(result.stdout, /unet: +unet\.onnx with faceid IP attention on \d+ layers/);
  assert.match(result.stdout, /lora\[0\]: +ip-adapter-faceid_sd15_tiny\.bin \(FaceID LoRA\): \d+ layers, default strength 1/);
  assert.match(result.stdout, /lora\[1\]: +ip-adapter-faceid_sd15_tiny_lora\.safetensors: \d+ layers, default strength 0\.6/);
  assert.match(result.stdout, /disk used: +[\d.]+ MiB \(weights stay in your files\)/);
  const again = await cli([fixture('sd15-tiny.safetensors'), '--configs', fixture('sd15-tiny')]);
  assert.equal(again.code, 0, again.stderr);
});

test('errors are one clear line with a hint and exit code 1', async () => {
  const noConfig = await cli([fixture('sd15-tiny.safetensors')]);
  assert.equal(noConfig.code, 1);
  assert.match(noConfig.stderr, /attention heads cannot be read from the weights[\s\S]*--configs/);
  const missing = await cli([path.join(work, 'nope.safetensors')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.safetensors could not be opened/);
  const usage = await cli([]);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /^faceid compile: Give exactly one checkpoint/);
});
