// SDXL text conditioning against sdxl/goldens/sdxl_text_encoders, from the diffusers folder and the single file:
// both tokenizers' ids (the second pads with '!' = 0), each encoder's last and penultimate hidden states, the second
// encoder's pooled state and projected text_embeds, and the pipeline-built prompt_embeds / pooled embeddings through
// our own prompt encoding (features concatenated, zeros for an absent negative, "" encoded).
import path from 'node:path';
import { recipeOf } from '../../../src-main/engine/models/architectures.ts';
import { TEXT_ENCODER_OUTPUTS } from '../../../src-main/engine/models/clip-text.ts';
import { encodePromptPair, type PromptEncoder } from '../../../src-main/engine/pipeline/conditioning.ts';
import { createOrtRunners, textEncoderFeeds } from '../../../src-main/engine/pipeline/ort-runners.ts';
import { SessionPool } from '../../../src-main/engine/onnx/session-pool.ts';
import { ClipTokenizer } from '../../../src-main/engine/text/clip-tokenizer.ts';
import { clipTokenizerFolder } from '../../../src-main/engine/text/tokenizer-folder.ts';
import { compiledSdxlFixture, goldenPreferredProviders, SDXL_SOURCES, sdxlFolder, sessionFor } from '../compiled-fixtures.ts';
import { loadGoldenTensors, type GoldenSuite } from '../golden-suite.ts';

/** The prompts of the golden's rows, as its notes list them (a Python list of strings). */
function promptRows(notes: string): string[] {
  const list = /rows: \[(.*?)\]\./su.exec(notes)?.[1] ?? '';
  return [...list.matchAll(/'([^']*)'|"([^"]*)"/gu)].map((m) => m[1] ?? m[2]!);
}

/** Rows of `hidden` [rows, tokens, width] at each row's first argmax of its ids (CLIP's pooled position). */
function pooledRows(hidden: Float32Array, ids: Float32Array, rows: number, tokens: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const rowIds = ids.subarray(r * tokens, (r + 1) * tokens);
    let at = 0;
    rowIds.forEach((id, i) => {
      if (id > rowIds[at]!) at = i;
    });
    out.set(hidden.subarray((r * tokens + at) * width, (r * tokens + at + 1) * width), r * width);
  }
  return out;
}

export const suite: GoldenSuite = {
  name: 'sdxl-text-encoders',
  async run(ctx) {
    const sdxl = sdxlFolder(ctx.fixtures);
    if (!sdxl) return;
    const { tensors, metadata } = await loadGoldenTensors(path.join(sdxl, 'goldens', 'sdxl_text_encoders.safetensors'));
    const g = (name: string) => tensors.get(name)!;
    const prompts = promptRows(metadata.notes ?? '');
    const pool = new SessionPool({ memoryBudgetBytes: 8 * 2 ** 30, preferredProviders: goldenPreferredProviders() });
    try {
      for (const source of SDXL_SOURCES) {
        const compiled = await compiledSdxlFixture(sdxl, source);
        const recipe = recipeOf(compiled.architecture);
        // A single file brings no tokenizer: the one the app ships is used, as the model loader does.
        const tokenizers = await Promise.all(
          recipe.textEncoders.map((encoder) =>
            ClipTokenizer.fromFolder(clipTokenizerFolder([source === 'diffusers' ? path.join(sdxl, 'sdxl-tiny', encoder.tokenizer) : undefined]), encoder.padToken === '!' ? '!' : undefined),
          ),
        );
        for (const [i, encoder] of compiled.textEncoders.entries()) {
          const n = i + 1;
          const ids = g(`input_ids_${n}`);
          ctx.check(`${source}/te${n}/input_ids`, prompts.flatMap((p) => tokenizers[i]!.encodePadded(p).ids), ids.data, 'tokenizer');
          const session = await sessionFor(encoder.path);
          const out = await session.run(textEncoderFeeds(ids.data, ids.shape[0]!, encoder.hiddenSize));
          const last = out[TEXT_ENCODER_OUTPUTS.last]!.data as Float32Array;
          ctx.check(`${source}/te${n}/last_hidden_state`, last, g(`te${n}_last_hidden_state`).data, 'textEncoder');
          ctx.check(`${source}/te${n}/hidden_states[-2]`, out[TEXT_ENCODER_OUTPUTS.penultimate]!.data as Float32Array, g(`te${n}_hidden_states_m2`).data, 'textEncoder');
          if (tensors.has(`te${n}_pooled_output`)) {
            const [rows, tokens] = ids.shape as [number, number];
            ctx.check(`${source}/te${n}/pooled_output`, pooledRows(last, ids.data, rows, tokens, encoder.hiddenSize), g(`te${n}_pooled_output`).data, 'textEncoder');
            ctx.check(`${source}/te${n}/text_embeds`, out[TEXT_ENCODER_OUTPUTS.textEmbeds]!.data as Float32Array, g(`te${n}_text_embeds`).data, 'textEncoder');
          }
        }

        // The pipeline-level tensors through the prompt encoding the studio uses (A1111 chunks of 75, one chunk here).
        const runners = createOrtRunners(pool, compiled, { textEncoders: recipe.textEncoders.map((r) => ({ recipe: r })), loraStrengths: [] });
        const encoders: PromptEncoder[] = runners.textEncoders.map((runner, i) => ({ tokenizer: tokenizers[i]!, runner, textualInversionKey: recipe.textEncoders[i]!.textualInversionKey }));
        const encode = (prompt: string, negative: string, zerosForEmptyNegative: boolean) => encodePromptPair(encoders, prompt, negative, { clipSkip: 1, zerosForEmptyNegative });
        const [prompt, negative, empty, bang] = prompts as [string, string, string, string];
        const none = await encode(prompt, '', recipe.zerosForEmptyNegative);
        ctx.check(`${source}/prompt_embeds`, none.cond.embeddings, g('prompt_embeds').data, 'textEncoder');
        ctx.check(`${source}/pooled_prompt_embeds`, none.cond.pooled!, g('pooled_prompt_embeds').data, 'textEncoder');
        ctx.check(`${source}/negative_none/prompt_embeds`, none.uncond.embeddings, g('negative_prompt_embeds_none').data, 'zeroNegative');
        ctx.check(`${source}/negative_none/pooled`, none.uncond.pooled!, g('negative_pooled_prompt_embeds_none').data, 'zeroNegative');
        for (const [label, text] of [['neg', negative], ['emptystr', empty]] as const) {
          // The golden's "" is diffusers' negative_prompt="" (encoded); the studio's empty negative is its None.
          const pair = await encode(prompt, text, false);
          ctx.check(`${source}/negative_${label}/prompt_embeds`, pair.uncond.embeddings, g(`negative_prompt_embeds_${label}`).data, 'textEncoder');
          ctx.check(`${source}/negative_${label}/pooled`, pair.uncond.pooled!, g(`negative_pooled_prompt_embeds_${label}`).data, 'textEncoder');
        }
        const banged = await encode(bang, '', recipe.zerosForEmptyNegative);
        ctx.check(`${source}/bang/prompt_embeds`, banged.cond.embeddings, g('prompt_embeds_bang').data, 'textEncoder');
        ctx.check(`${source}/bang/pooled`, banged.cond.pooled!, g('pooled_prompt_embeds_bang').data, 'textEncoder');
      }
    } finally {
      await pool.releaseAll();
    }
  },
};
