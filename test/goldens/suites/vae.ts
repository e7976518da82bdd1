// VAE encoder (mean, logvar, std) and decoder graphs against goldens/vae, from each checkpoint form.
import path from 'node:path';
import { compiledFixture, FIXTURE_SOURCES, floatTensor, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'vae',
  async run(ctx) {
    const golden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'vae.safetensors'));
    const g = (name: string) => golden.tensors.get(name)!;
    for (const { source, label, tolerance } of FIXTURE_SOURCES) {
      const compiled = await compiledFixture(ctx.fixtures, source, false);
      const encoded = await (await sessionFor(compiled.vaeEncoder.path)).run({ sample: floatTensor(g('image')) });
      ctx.check(`${label}/encode_mean`, encoded['latent_mean']!.data as Float32Array, g('mean').data, tolerance ?? 'vaeEncode');
      ctx.check(`${label}/encode_logvar`, encoded['latent_logvar']!.data as Float32Array, g('logvar').data, tolerance ?? 'vaeEncode');
      ctx.check(`${label}/encode_std`, encoded['latent_std']!.data as Float32Array, g('std').data, tolerance ?? 'vaeEncode');
      const decoded = await (await sessionFor(compiled.vaeDecoder.path)).run({ latent: floatTensor(g('decode_in')) });
      ctx.check(`${label}/decode`, decoded['sample']!.data as Float32Array, g('decode_out').data, tolerance ?? 'vaeDecode');
    }
  },
};
