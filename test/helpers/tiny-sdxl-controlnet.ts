// Tiny SDXL control models for tests, as diffusers folders with their configs. A ControlNet made as diffusers'
// `ControlNetModel.from_unet` makes one: the sdxl-tiny UNet's own conv_in, time and added embeddings, down blocks and
// mid block, plus a seeded hint encoder and seeded 1×1 "zero convs" (random rather than zero, so the residuals are not
// zeros); and a full_adapter_xl T2I-Adapter with seeded weights.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTensorFloat32 } from '../../src-main/engine/io/descriptors.ts';
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';
import { SeededRandom } from '../../src-main/models/selftest/seeded-random.ts';
import { fixture } from './fixtures.ts';
import { writeSafetensorsFile, type TestTensor } from './write-safetensors.ts';

// Four widths as the real ones (16, 32, 96, 256): three stride-2 blocks bring the picture to the latent size.
const HINT_CHANNELS = [4, 8, 8, 16];
const COPIED = /^(conv_in|time_embedding|add_embedding|down_blocks|mid_block)\./u;

export async function writeTinySdxlControlNet(folder: string, seed = 7): Promise<string> {
  const unetFolder = fixture('sdxl', 'sdxl-tiny', 'unet');
  const unet = await readSafetensors(path.join(unetFolder, 'diffusion_pytorch_model.safetensors'));
  const config = JSON.parse(await readFile(path.join(unetFolder, 'config.json'), 'utf8')) as Record<string, unknown>;
  const rng = new SeededRandom(seed);
  const tensors: Record<string, TestTensor> = {};
  for (const [name, descriptor] of unet.tensors) {
    if (COPIED.test(name)) tensors[name] = { dtype: 'F32', shape: descriptor.shape, data: [...(await readTensorFloat32(descriptor))] };
  }
  const random = (shape: number[], scale: number): TestTensor => ({ dtype: 'F32', shape, data: [...rng.normals(shape.reduce((a, b) => a * b, 1), scale)] });
  const widths = config['block_out_channels'] as number[];
  const hint = 'controlnet_cond_embedding.';
  tensors[`${hint}conv_in.weight`] = random([HINT_CHANNELS[0]!, 3, 3, 3], 0.2);
  tensors[`${hint}conv_in.bias`] = random([HINT_CHANNELS[0]!], 0.1);
  for (let i = 0; i < HINT_CHANNELS.length - 1; i++) {
    const [from, to] = [HINT_CHANNELS[i]!, HINT_CHANNELS[i + 1]!];
    tensors[`${hint}blocks.${2 * i}.weight`] = random([from, from, 3, 3], 0.2);
    tensors[`${hint}blocks.${2 * i}.bias`] = random([from], 0.1);
    tensors[`${hint}blocks.${2 * i + 1}.weight`] = random([to, from, 3, 3], 0.2);
    tensors[`${hint}blocks.${2 * i + 1}.bias`] = random([to], 0.1);
  }
  tensors[`${hint}conv_out.weight`] = random([widths[0]!, HINT_CHANNELS[HINT_CHANNELS.length - 1]!, 3, 3], 0.2);
  tensors[`${hint}conv_out.bias`] = random([widths[0]!], 0.1);
  // One zero conv per skip connection: conv_in's output, each resnet's, each downsampler's (none after the last level).
  const layers = config['layers_per_block'] as number;
  const skips = [widths[0]!, ...widths.flatMap((w, level) => [...Array<number>(layers).fill(w), ...(level < widths.length - 1 ? [w] : [])])];
  skips.forEach((c, k) => {
    tensors[`controlnet_down_blocks.${k}.weight`] = random([c, c, 1, 1], 0.3);
    tensors[`controlnet_down_blocks.${k}.bias`] = random([c], 0.05);
  });
  const top = widths[widths.length - 1]!;
  tensors['controlnet_mid_block.weight'] = random([top, top, 1, 1], 0.3);
  tensors['controlnet_mid_block.bias'] = random([top], 0.05);
  await mkdir(folder, { recursive: true });
  await writeSafetensorsFile(path.join(folder, 'diffusion_pytorch_model.safetensors'), tensors);
  const controlConfig = { ...config, _class_name: 'ControlNetModel', conditioning_channels: 3, conditioning_embedding_out_channels: HINT_CHANNELS, controlnet_conditioning_channel_order: 'rgb', global_pool_conditions: false };
  await writeFile(path.join(folder, 'config.json'), JSON.stringify(controlConfig, null, 2));
  return folder;
}

/** A tiny SDXL T2I-Adapter (diffusers `full_adapter_xl`: unshuffle 16, the pool before level 2) for sdxl-tiny, whose
 * four features are 64 wide (its block widths), with seeded weights, as a diffusers folder. */
export async function writeTinySdxlT2IAdapter(folder: string, seed = 9): Promise<string> {
  const rng = new SeededRandom(seed);
  const random = (shape: number[], scale: number): TestTensor => ({ dtype: 'F32', shape, data: [...rng.normals(shape.reduce((a, b) => a * b, 1), scale)] });
  const channels = [64, 64, 64, 64];
  const tensors: Record<string, TestTensor> = {
    'adapter.conv_in.weight': random([channels[0]!, 3 * 16 * 16, 3, 3], 0.02),
    'adapter.conv_in.bias': random([channels[0]!], 0.05),
  };
  channels.forEach((c, level) => {
    for (let r = 0; r < 2; r++) {
      tensors[`adapter.body.${level}.resnets.${r}.block1.weight`] = random([c, c, 3, 3], 0.05);
      tensors[`adapter.body.${level}.resnets.${r}.block1.bias`] = random([c], 0.05);
      tensors[`adapter.body.${level}.resnets.${r}.block2.weight`] = random([c, c, 1, 1], 0.1);
      tensors[`adapter.body.${level}.resnets.${r}.block2.bias`] = random([c], 0.05);
    }
  });
  await mkdir(folder, { recursive: true });
  await writeSafetensorsFile(path.join(folder, 'diffusion_pytorch_model.safetensors'), tensors);
  await writeFile(path.join(folder, 'config.json'), JSON.stringify({ _class_name: 'T2IAdapter', adapter_type: 'full_adapter_xl', channels, in_channels: 3, num_res_blocks: 2, downscale_factor: 16 }, null, 2));
  return folder;
}
