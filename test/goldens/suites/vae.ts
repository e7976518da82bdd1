// VAE encoder (mean, logvar, std) and decoder graphs against goldens/vae (vae_fp16w for the fp16 copy), from each
// checkpoint form.
import { compiledFixture, FIXTURE_SOURCES, floatTensor, goldenFile, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'vae',
  async run(ctx) {
    for (const { source, label, goldenSuffix } of FIXTURE_SOURCES) {
      const golden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'vae', goldenSuffix));
      const g = (name: string) => golden.tensors.get(name)!;
      const compiled = await compiledFixture(ctx.fixtures, source, false);
      const encoded = await (await sessionFor(compiled.vaeEncoder.path)).run({ sample: floatTensor(g('image')) });
      ctx.check(`${label}/encode_mean`, encoded['latent_mean']!.data as Float32Array, g('mean').data, 'vaeEncode');
      ctx.check(`${label}/encode_logvar`, encoded['latent_logvar']!.data as Float32Array, g('logvar').data, 'vaeEncode');
      ctx.check(`${label}/encode_std`, encoded['latent_std']!.data as Float32Array, g('std').data, 'vaeEncode');
      const decoded = await (await sessionFor(compiled.vaeDecoder.path)).run({ latent: floatTensor(g('decode_in')) });
      ctx.check(`${label}/decode`, decoded['sample']!.data as Float32Array, g('decode_out').data, 'vaeDecode');
    }
  },
};
