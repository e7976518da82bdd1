// CLIP text encoder graphs (diffusers folder, LDM single file, fp16 copy) against goldens/text_encoder.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { compiledFixture, FIXTURE_SOURCES, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'text-encoder',
  async run(ctx) {
    const golden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'text_encoder.safetensors'));
    const ids = golden.tensors.get('input_ids')!;
    const input = new ort.Tensor('int64', BigInt64Array.from(ids.data, (v) => BigInt(v)), [...ids.shape]);
    for (const { source, label, tolerance } of FIXTURE_SOURCES) {
      const compiled = await compiledFixture(ctx.fixtures, source, false);
      const session = await sessionFor(compiled.textEncoder.path);
      const out = await session.run({ input_ids: input });
      ctx.check(`${label}/last_hidden_state`, out['last_hidden_state']!.data as Float32Array, golden.tensors.get('last_hidden_state')!.data, tolerance ?? 'textEncoder');
      ctx.check(`${label}/hidden_states[-2]`, out['penultimate_hidden_state']!.data as Float32Array, golden.tensors.get('hidden_states_m2')!.data, tolerance ?? 'textEncoder');
    }
  },
};
