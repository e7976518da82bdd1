// SDXL VAE encoder (mean, logvar, std) and decoder graphs against sdxl/goldens/sdxl_vae, from the diffusers folder and
// the single file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compiledSdxlFixture, floatTensor, SDXL_SOURCES, sdxlFolder, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'sdxl-vae',
  async run(ctx) {
    const sdxl = sdxlFolder(ctx.fixtures);
    if (!sdxl) return;
    const golden = await loadGoldenTensors(path.join(sdxl, 'goldens', 'sdxl_vae.safetensors'));
    const g = (name: string) => golden.tensors.get(name)!;
    for (const source of SDXL_SOURCES) {
      const compiled = await compiledSdxlFixture(sdxl, source);
      const encoded = await (await sessionFor(compiled.vaeEncoder.path)).run({ sample: floatTensor(g('image')) });
      ctx.check(`${source}/encode_mean`, encoded['latent_mean']!.data as Float32Array, g('mean').data, 'vaeEncode');
      ctx.check(`${source}/encode_logvar`, encoded['latent_logvar']!.data as Float32Array, g('logvar').data, 'vaeEncode');
      ctx.check(`${source}/encode_std`, encoded['latent_std']!.data as Float32Array, g('std').data, 'vaeEncode');
      const decoded = await (await sessionFor(compiled.vaeDecoder.path)).run({ latent: floatTensor(g('decode_in')) });
      ctx.check(`${source}/decode`, decoded['sample']!.data as Float32Array, g('decode_out').data, 'vaeDecode');
      const { scaling_factor: scale } = JSON.parse(await readFile(path.join(sdxl, 'sdxl-tiny', 'vae', 'config.json'), 'utf8')) as { scaling_factor: number };
      ctx.record({ name: `${source}/scaling_factor`, error: Math.abs(compiled.vaeScalingFactor - scale), tolerance: 0, metric: 'exact', passed: compiled.vaeScalingFactor === scale });
    }
  },
};
