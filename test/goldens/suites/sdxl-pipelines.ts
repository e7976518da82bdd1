// The SDXL pipeline goldens (sdxl/goldens/pipe_sdxl_*): txt2img and txt2img with FaceID SDXL (LoRA and IP tokens
// from the .bin), every step's latents and the final image, from the diffusers folder and from the single file.
// The text conditioning is computed by our two encoders from the token ids each golden recorded (features
// concatenated, pooled from the second), zeros where the golden had no negative prompt; size conditioning, noise
// and IP tokens are the golden's.
import path from 'node:path';
import { concatFeatures, type TextConditioning } from '../../../src-main/engine/pipeline/conditioning.ts';
import type { DiffusionRunners } from '../../../src-main/engine/pipeline/runners.ts';
import { compiledSdxlFixture, SDXL_SOURCES, sdxlFolder } from '../compiled-fixtures.ts';
import type { GoldenSuite } from '../golden-suite.ts';
import { runPipelineGoldens, type Golden } from './pipelines.ts';

const ADAPTER = path.join('ipadapter-sdxl-tiny', 'ip-adapter-faceid_sdxl_tiny.bin');

/** One prompt's conditioning from the recorded ids of every encoder (`<stem>_1`, `<stem>_2`, …), or undefined. */
async function encodeRecorded(tensors: Golden, runners: DiffusionRunners, stem: string): Promise<TextConditioning | undefined> {
  const ids = runners.textEncoders.map((_, i) => tensors.get(`${stem}_${i + 1}`));
  if (ids.some((t) => t === undefined)) return undefined;
  const encoded = await Promise.all(runners.textEncoders.map((runner, i) => runner.encode(Array.from(ids[i]!.data), 1, 1)));
  const tokens = ids[0]!.shape[1]!;
  const embeddings = concatFeatures(encoded.map((e, i) => ({ data: e.hidden, width: runners.textEncoders[i]!.hiddenSize })), tokens);
  const pooled = encoded.find((e) => e.pooled)?.pooled;
  return pooled ? { embeddings, tokens, pooled } : { embeddings, tokens };
}

export const suite: GoldenSuite = {
  name: 'sdxl-pipelines',
  async run(ctx) {
    const sdxl = sdxlFolder(ctx.fixtures);
    if (!sdxl) return;
    await runPipelineGoldens(ctx, {
      modelDir: path.join(sdxl, 'sdxl-tiny'),
      models: SDXL_SOURCES.map((source) => ({ label: source, compile: () => compiledSdxlFixture(sdxl, source, ADAPTER) })),
      goldenFolder: path.join(sdxl, 'goldens'),
      names: ['pipe_sdxl_txt2img', 'pipe_sdxl_txt2img_faceid'],
      conditioning: async (tensors, runners) => {
        const cond = (await encodeRecorded(tensors, runners, 'prompt_input_ids'))!;
        // No recorded negative ids: diffusers' negative_prompt=None, zeros for SDXL (force_zeros_for_empty_prompt).
        const uncond = (await encodeRecorded(tensors, runners, 'negative_prompt_input_ids')) ?? {
          embeddings: new Float32Array(cond.embeddings.length),
          tokens: cond.tokens,
          ...(cond.pooled ? { pooled: new Float32Array(cond.pooled.length) } : {}),
        };
        return { cond, uncond };
      },
    });
  },
};
