// Tokenizer goldens (fixtures/tokenizer/): every prompt's 77 ids and attention mask, as SD1.5 pipelines feed the
// text encoder (transformers CLIPTokenizer with ftfy), must match exactly.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ClipTokenizer } from '../../../src-main/engine/text/clip-tokenizer.ts';
import type { GoldenSuite } from '../golden-suite.ts';

interface TokenizerCase {
  readonly prompt: string;
  readonly hf_ids77: number[];
  readonly hf_attention_mask: number[];
}

export const suite: GoldenSuite = {
  name: 'tokenizer',
  async run(ctx) {
    const folder = path.join(ctx.fixtures, 'tokenizer');
    const tokenizer = await ClipTokenizer.fromFolder(folder);
    const goldens = JSON.parse(await readFile(path.join(folder, 'tokenizer_goldens.json'), 'utf8')) as { cases: TokenizerCase[] };
    goldens.cases.forEach((c, i) => {
      const { ids, attentionMask } = tokenizer.encodePadded(c.prompt);
      const label = `case${String(i).padStart(2, '0')}`;
      ctx.check(`${label}.ids77`, ids, c.hf_ids77, 'tokenizer');
      ctx.check(`${label}.mask`, attentionMask, c.hf_attention_mask, 'tokenizer');
    });
  },
};
