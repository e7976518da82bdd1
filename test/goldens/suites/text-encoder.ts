// CLIP text encoder graphs (diffusers folder, LDM single file, fp16 copy) against goldens/text_encoder (the fp16 copy
// against text_encoder_fp16w).
import { textEncoderFeeds } from '../../../src-main/engine/pipeline/ort-runners.ts';
import { compiledFixture, FIXTURE_SOURCES, goldenFile, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'text-encoder',
  async run(ctx) {
    for (const { source, label, goldenSuffix } of FIXTURE_SOURCES) {
      const golden = await loadGoldenTensors(goldenFile(ctx.fixtures, 'text_encoder', goldenSuffix));
      const ids = golden.tensors.get('input_ids')!;
      const compiled = await compiledFixture(ctx.fixtures, source, false);
      const session = await sessionFor(compiled.textEncoders[0]!.path);
      const out = await session.run(textEncoderFeeds(ids.data, ids.shape[0]!, compiled.textEncoders[0]!.hiddenSize));
      ctx.check(`${label}/last_hidden_state`, out['last_hidden_state']!.data as Float32Array, golden.tensors.get('last_hidden_state')!.data, 'textEncoder');
      ctx.check(`${label}/hidden_states[-2]`, out['penultimate_hidden_state']!.data as Float32Array, golden.tensors.get('hidden_states_m2')!.data, 'textEncoder');
    }
  },
};
