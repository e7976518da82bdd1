// CLIP vision graph (hidden_states[-2]) against goldens/clip_vision, for the image and the zero (uncond) input.
import path from 'node:path';
import { compiledFixture, floatTensor, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

export const suite: GoldenSuite = {
  name: 'clip-vision',
  async run(ctx) {
    const golden = await loadGoldenTensors(path.join(ctx.fixtures, 'goldens', 'clip_vision.safetensors'));
    const compiled = await compiledFixture(ctx.fixtures, 'diffusers', true);
    if (!compiled.imageEncoder) throw new Error('the fixture folder has no ipadapter-tiny/image_encoder');
    const session = await sessionFor(compiled.imageEncoder.path);
    for (const [input, expected] of [['pixel_values', 'hidden_states_m2'], ['uncond_pixel_values', 'uncond_hidden_states_m2']] as const) {
      const out = await session.run({ pixel_values: floatTensor(golden.tensors.get(input)!) });
      ctx.check(expected, out['penultimate_hidden_state']!.data as Float32Array, golden.tensors.get(expected)!.data, 'clipVision');
    }
  },
};
