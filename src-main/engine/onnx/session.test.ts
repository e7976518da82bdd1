// Compact weights (session.ts) change where the fp16→fp32 conversion happens and which fusions run, not what is
// computed: with compact sessions the UNet and VAE decoder still meet their goldens at the unchanged tolerances,
// from the fp32 single file, and the UNet from its fp16 copy (where the Casts now run with each layer; that copy's
// VAE decode is a known deviation in either mode, test/goldens/known-deviations.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compiledFixture, floatTensor, type FixtureSource } from '../../../test/goldens/compiled-fixtures.ts';
import { compareWithTolerance, loadGoldenTensors } from '../../../test/goldens/golden-suite.ts';
import type { ToleranceName } from '../../../test/goldens/tolerances.ts';
import { fixture, fixturesRoot } from '../../../test/helpers/fixtures.ts';
import { openSession } from './session.ts';

const SOURCES: readonly { source: FixtureSource; unet: ToleranceName; vae?: ToleranceName }[] = [
  { source: 'ldm', unet: 'unet', vae: 'vaeDecode' },
  { source: 'ldm-fp16', unet: 'fp16Weights' },
];

for (const { source, unet, vae } of SOURCES) {
  test(`compact sessions meet the UNet (t=500)${vae ? ' and VAE decode' : ''} goldens from the ${source} checkpoint`, async (t) => {
    const model = await compiledFixture(fixturesRoot, source, false);
    const unetGolden = (await loadGoldenTensors(fixture('goldens', 'unet.safetensors'))).tensors;
    const vaeGolden = (await loadGoldenTensors(fixture('goldens', 'vae.safetensors'))).tensors;
    const g = (tensors: typeof unetGolden, name: string) => tensors.get(name)!;
    const unetSession = await openSession(model.unet.path, { compactWeights: true });
    const vaeSession = await openSession(model.vaeDecoder.path, { compactWeights: true });
    try {
      const unetOut = await unetSession.run({ sample: floatTensor(g(unetGolden, 'latent')), timestep: floatTensor(g(unetGolden, 'timestep')), encoder_hidden_states: floatTensor(g(unetGolden, 'encoder_hidden_states')) });
      const checks = [compareWithTolerance(`${source}/compact/unet`, unetOut['out_sample']!.data as Float32Array, g(unetGolden, 'out').data, unet)];
      if (vae) {
        const vaeOut = await vaeSession.run({ latent: floatTensor(g(vaeGolden, 'decode_in')) });
        checks.push(compareWithTolerance(`${source}/compact/vae_decode`, vaeOut['sample']!.data as Float32Array, g(vaeGolden, 'decode_out').data, vae));
      }
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
