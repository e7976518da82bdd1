// Compact weights (session.ts) change where the fp16→fp32 conversion happens and which fusions run, not what is
// computed: with compact sessions the UNet and VAE decoder still meet their goldens at the unchanged tolerances,
// from the fp32 single file and from its fp16 copy (where the Casts now run with each layer), each against its own
// goldens (`_fp16w` for the fp16 copy).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compiledFixture, floatTensor, FIXTURE_SOURCES, goldenFile } from '../../../test/goldens/compiled-fixtures.ts';
import { compareWithTolerance, loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import { fixturesRoot } from '../../../test/helpers/fixtures.ts';
import { openSession } from './session.ts';

for (const { source, goldenSuffix } of FIXTURE_SOURCES.filter((s) => s.source !== 'diffusers')) {
  test(`compact sessions meet the UNet and VAE decode goldens from the ${source} checkpoint`, async (t) => {
    const model = await compiledFixture(fixturesRoot, source, false);
    const unetGolden = (await loadGoldenTensors(goldenFile(fixturesRoot, 'unet', goldenSuffix))).tensors;
    const vaeGolden = (await loadGoldenTensors(goldenFile(fixturesRoot, 'vae', goldenSuffix))).tensors;
    const g = (tensors: typeof unetGolden, name: string) => tensors.get(name)!;
    const unetSession = await openSession(model.unet.path, { compactWeights: true });
    const vaeSession = await openSession(model.vaeDecoder.path, { compactWeights: true });
    try {
      const unetOut = await unetSession.run({ sample: floatTensor(g(unetGolden, 'latent')), timestep: floatTensor(g(unetGolden, 'timestep')), encoder_hidden_states: floatTensor(g(unetGolden, 'encoder_hidden_states')) });
      const vaeOut = await vaeSession.run({ latent: floatTensor(g(vaeGolden, 'decode_in')) });
      const checks = [
        compareWithTolerance(`${source}/compact/unet`, unetOut['out_sample']!.data as Float32Array, g(unetGolden, 'out').data, 'unet'),
        compareWithTolerance(`${source}/compact/vae_decode`, vaeOut['sample']!.data as Float32Array, g(vaeGolden, 'decode_out').data, 'vaeDecode'),
      ];
      for (const { comparison, result } of checks) {
        t.diagnostic(`${result.name}: ${result.metric} error ${comparison.error.toExponential(2)} (tolerance ${result.tolerance})`);
        assert.ok(result.passed, `${result.name}: ${comparison.error} > ${result.tolerance}`);
      }
    } finally {
      await unetSession.release();
      await vaeSession.release();
    }
  });
}
