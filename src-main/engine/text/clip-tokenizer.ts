// CLIP BPE tokenizer as SD1.5 and SDXL use it (openai/clip-vit-large-patch14): vocab.json + merges.txt, 77 positions,
// BOS 49406, EOS 49407, padded with EOS — or, as SDXL's second tokenizer, with "!" (id 0), which transformers then
// also splits out of the text as a special token (every "!" in a prompt becomes id 0 there). Splitting, byte-level mapping and BPE come from @huggingface/tokenizers
// (configured as the Hub's CLIP tokenizer.json); the ftfy-style cleanup it lacks is ours (clean-text.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { StudioError } from '../../base/errors.ts';
import { cleanPromptText } from './clean-text.ts';

export const CLIP_MAX_LENGTH = 77;
/** Tokens per chunk between BOS and EOS. */
export const CLIP_CHUNK_LENGTH = CLIP_MAX_LENGTH - 2;

const BOS_TOKEN = '<|startoftext|>';
const EOS_TOKEN = '<|endoftext|>';
// openai/CLIP's SimpleTokenizer (and transformers) read merges.txt lines [1, 49152 − 256 − 2 + 1).
const MAX_MERGES = 49152 - 256 - 2;
const SPLIT_PATTERN = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  /** SD1.5 pads with EOS; SDXL's second tokenizer with "!" (0). */
  readonly padId: number;
  readonly commaId: number | undefined;
  private readonly tokenizer: Tokenizer;

  /** `padToken`: the padding token's text when it is not EOS (SDXL's tokenizer_2: "!"). */
  constructor(vocab: Readonly<Record<string, number>>, merges: readonly string[], padToken: string = EOS_TOKEN) {
    const bosId = vocab[BOS_TOKEN];
    const eosId = vocab[EOS_TOKEN];
    if (bosId === undefined || eosId === undefined) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The tokenizer vocabulary has no ${BOS_TOKEN} / ${EOS_TOKEN} entries, so it is not a CLIP vocabulary.`,
        hint: 'Use the tokenizer/vocab.json that came with the Stable Diffusion 1.5 model.',
      });
    }
    const padId = vocab[padToken];
    if (padId === undefined) {
      throw new StudioError('generate.model-missing', { userMessage: `The tokenizer's padding token "${padToken}" is not in its vocabulary.`, hint: 'Restore the tokenizer files of the model.' });
    }
    this.bosId = bosId;
    this.eosId = eosId;
    this.padId = padId;
    this.commaId = vocab[',</w>'];
    const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
    const padSpecial = padToken === EOS_TOKEN ? [] : [special(padId, padToken)];
    this.tokenizer = new Tokenizer(
      {
        version: '1.0',
        added_tokens: [...padSpecial, special(bosId, BOS_TOKEN), special(eosId, EOS_TOKEN)],
        normalizer: null,
        pre_tokenizer: {
          type: 'Sequence',
          pretokenizers: [
            { type: 'Split', pattern: { Regex: SPLIT_PATTERN }, behavior: 'Removed', invert: true },
            { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
          ],
        },
        post_processor: null,
        decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        model: {
          type: 'BPE',
          dropout: null,
          unk_token: EOS_TOKEN,
          continuing_subword_prefix: '',
          end_of_word_suffix: '</w>',
          fuse_unk: false,
          byte_fallback: false,
          vocab,
          merges: merges.slice(0, MAX_MERGES),
        },
      },
      { bos_token: BOS_TOKEN, eos_token: EOS_TOKEN, pad_token: padToken, unk_token: EOS_TOKEN, clean_up_tokenization_spaces: true },
    );
  }

  /**
   * Reads `vocab.json` + `merges.txt` from a tokenizer folder (diffusers layout); the padding token comes from its
   * `special_tokens_map.json` when it has one, else `padToken` (EOS unless said otherwise).
   */
  static async fromFolder(folder: string, padToken?: string): Promise<ClipTokenizer> {
    const vocabFile = path.join(folder, 'vocab.json');
    const mergesFile = path.join(folder, 'merges.txt');
    let vocabText: string;
    let mergesText: string;
    try {
      [vocabText, mergesText] = await Promise.all([readFile(vocabFile, 'utf8'), readFile(mergesFile, 'utf8')]);
    } catch (cause) {
      throw new StudioError('generate.model-missing', {
        userMessage: `The CLIP tokenizer files could not be read from ${folder} (${(cause as Error).message}).`,
        hint: 'The folder needs vocab.json and merges.txt, as in a diffusers model\'s tokenizer/ folder. If it is the copy the app ships (assets/tokenizer), the installation is incomplete: reinstall the app, or restore the folder from the repository.',
        cause,
      });
    }
    let vocab: Record<string, number>;
    try {
      vocab = JSON.parse(vocabText) as Record<string, number>;
    } catch (cause) {
      throw new StudioError('generate.model-missing', { userMessage: `${vocabFile} is not valid JSON.`, hint: 'Restore the tokenizer files of the model.', cause });
    }
    const merges = mergesText.split('\n').slice(1).filter((line) => line.length > 0 && !line.startsWith('#version'));
    return new ClipTokenizer(vocab, merges, (await padTokenOf(folder)) ?? padToken ?? EOS_TOKEN);
  }

  /** BPE ids of a text without BOS/EOS and without truncation, after CLIP's cleanup. */
  encode(text: string): number[] {
    const cleaned = cleanPromptText(text);
    if (cleaned.length === 0) return [];
    return this.tokenizer.encode(cleaned, { add_special_tokens: false }).ids;
  }

  /** What SD1.5 pipelines feed the text encoder: BOS + first 75 ids + EOS, padded with EOS to 77. */
  encodePadded(text: string): { ids: number[]; attentionMask: number[] } {
    return this.wrapChunk(this.encode(text).slice(0, CLIP_CHUNK_LENGTH));
  }

  /** BOS + ids (≤ 75) + EOS, padded to 77. */
  wrapChunk(ids: readonly number[]): { ids: number[]; attentionMask: number[] } {
    if (ids.length > CLIP_CHUNK_LENGTH) throw new RangeError(`a CLIP chunk holds at most ${CLIP_CHUNK_LENGTH} tokens, got ${ids.length}`);
    const body = [this.bosId, ...ids, this.eosId];
    const attentionMask = body.map(() => 1);
    while (body.length < CLIP_MAX_LENGTH) {
      body.push(this.padId);
      attentionMask.push(0);
    }
    return { ids: body, attentionMask };
  }
}

/** The pad token a diffusers tokenizer folder names (`special_tokens_map.json`: a string or `{content}`), if any. */
async function padTokenOf(folder: string): Promise<string | undefined> {
  let map: unknown;
  try {
    map = JSON.parse(await readFile(path.join(folder, 'special_tokens_map.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const pad = (map as { pad_token?: unknown }).pad_token;
  if (typeof pad === 'string') return pad;
  if (typeof pad === 'object' && pad !== null && typeof (pad as { content?: unknown }).content === 'string') return (pad as { content: string }).content;
  return undefined;
}
