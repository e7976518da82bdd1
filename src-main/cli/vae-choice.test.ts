// `faceid generate --vae`: the checkpoint's own VAE given apart (its diffusers folder) makes the same picture; a VAE
// with other decoder weights (written as an original-layout file, as sd-vae-ft-mse ships) changes it and is named in
// the PNG; a file that is not a VAE is refused with the reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readTensorFloat32 } from '../engine/io/descriptors.ts';
import { readSafetensors } from '../engine/io/safetensors.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { cliPicture } from '../../test/helpers/cli-picture.ts';
import { runCli } from '../../test/helpers/run-cli.ts';
import { writeSafetensorsFile, type TestTensor } from '../../test/helpers/write-safetensors.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-vae-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

const base = ['generate', '--model', fixture('sd15-tiny'), '--prompt', 'a lighthouse', '--steps', '2', '--size', '64x64', '--seed', '9'];

function picture(name: string, extra: readonly string[]): Promise<{ pixels: Buffer; parameters: string }> {
  return cliPicture(work, name, [...base, ...extra]);
}

/** The tiny VAE in original (LDM) names, its decoder's output bias moved by `shift`. */
async function originalLayoutVae(file: string, shift: number): Promise<void> {
  const index = await readSafetensors(fixture('sd15-tiny.safetensors'));
  const tensors: Record<string, TestTensor> = {};
  for (const [name, d] of index.tensors) {
    if (!name.startsWith('first_stage_model.')) continue;
    const values = await readTensorFloat32(d);
    const moved = name === 'first_stage_model.decoder.conv_out.bias' ? values.map((v) => v + shift) : values;
    tensors[name.slice('first_stage_model.'.length)] = { dtype: 'F32', shape: d.shape, data: [...moved] };
  }
  await writeSafetensorsFile(file, tensors);
}

test('the checkpoint\'s own VAE given apart makes the same picture; another VAE changes it and is named in the PNG', async () => {
  const own = await picture('own', []);
  const apart = await picture('apart', ['--vae', fixture('sd15-tiny', 'vae')]);
  assert.deepEqual(apart.pixels, own.pixels);
  const other = path.join(work, 'brighter-vae.safetensors');
  await originalLayoutVae(other, 0.4);
  const changed = await picture('other', ['--vae', other]);
  assert.notDeepEqual(changed.pixels, own.pixels);
  assert.match(changed.parameters, /, VAE: brighter-vae,/u);
  const same = path.join(work, 'same-vae.safetensors');
  await originalLayoutVae(same, 0);
  assert.deepEqual((await picture('same', ['--vae', same])).pixels, own.pixels, 'the original layout maps onto the same weights');
});

test('a file that is not a VAE is refused with the reason', async () => {
  const result = await runCli([...base, '--vae', fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), '--out', path.join(work, 'never')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ip-adapter-faceid_sd15_tiny_lora\.safetensors is not a VAE/u);
});

test('a VAE of the other base (an SDXL VAE folder, its config scaling latents by 0.13025) is refused on an SD1.5 checkpoint', async () => {
  const result = await runCli([...base, '--vae', fixture('sdxl', 'sdxl-tiny', 'vae'), '--out', path.join(work, 'never')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /is SDXL's VAE \(its config scales latents by 0\.13025\); sd15-tiny is SD1\.5/u);
});
