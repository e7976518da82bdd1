// Prompt → text conditioning as A1111 builds it: 75-token chunks encoded separately and concatenated, emphasis
// applied per chunk, and the shorter of prompt / negative prompt padded with empty-prompt chunks so both have the
// same length (A1111 pads with the encoded empty prompt). With several text encoders (SDXL) each encodes the chunks
// of its own tokenizer, their hidden states are concatenated along the feature axis in recipe order, and the
// pooled embedding comes from the first chunk; an empty negative prompt gives zeros where the architecture says so
// (diffusers' force_zeros_for_empty_prompt). Textual-inversion names put their vectors in place of tokens, for each
// encoder its own set (SDXL files hold one per encoder); an embedding without vectors for every encoder of the model
// (made for the other base model) stays words, as in A1111.
import type { TextualInversion, TextualInversionKey } from '../io/textual-inversion.ts';
import type { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { stripExtraNetworks } from '../text/extra-networks.ts';
import { applyEmphasis, tokenizePrompt, type PromptChunk } from '../text/prompt-chunks.ts';
import { EmbeddingLookup, resolveComfyEmbeddings } from '../text/prompt-embeddings.ts';
import type { TextEncoderRunner, TokenVector } from './runners.ts';

export interface TextConditioning {
  /** [tokens, total hidden width] for one prompt. */
  readonly embeddings: Float32Array;
  readonly tokens: number;
  /** The pooled text embedding, for architectures that condition on one (SDXL). */
  readonly pooled?: Float32Array;
}

export interface ConditioningPair {
  readonly cond: TextConditioning;
  readonly uncond: TextConditioning;
  /** Prompt tokens as A1111 counts them (for the UI's token counter). */
  readonly promptTokenCount: number;
  /** True when one side was padded with empty-prompt chunks to the other's length (A1111's `Pad conds`). */
  readonly padded: boolean;
  /** Names of the textual-inversion embeddings the prompts used (A1111's `TI hashes` lists them). */
  readonly embeddingsUsed: readonly string[];
}

/** A text encoder with the tokenizer whose ids it reads. */
export interface PromptEncoder {
  readonly tokenizer: ClipTokenizer;
  readonly runner: TextEncoderRunner;
  /** The vectors of a textual-inversion file it takes (architectures.ts TextEncoderRecipe). */
  readonly textualInversionKey: TextualInversionKey;
}

export interface PromptEncodingOptions {
  readonly clipSkip: number;
  /** An empty negative prompt conditions with zeros instead of the encoded "". */
  readonly zerosForEmptyNegative?: boolean;
  /** Textual-inversion embeddings the prompts may name. */
  readonly embeddings?: readonly TextualInversion[];
}

interface EncodedSide {
  readonly hidden: Float32Array;
  readonly pooled?: Float32Array;
}

/** One encoder over [uncond chunks, cond chunks] in a single call; emphasis is per chunk, so batching changes nothing. */
async function encodeBoth(encoder: PromptEncoder, uncond: readonly PromptChunk[], cond: readonly PromptChunk[], clipSkip: number): Promise<{ uncond: EncodedSide; cond: EncodedSide }> {
  const chunks = [...uncond, ...cond];
  const positions = chunks[0]!.ids.length;
  const width = encoder.runner.hiddenSize;
  const vectors: TokenVector[] = chunks.flatMap((chunk, i) =>
    chunk.embeddings.flatMap(({ position, embedding }) =>
      Array.from({ length: embedding.count }, (_, k) => ({ position: i * positions + position + k, vector: embedding.vectors.subarray(k * width, (k + 1) * width) })),
    ),
  );
  const { hidden, pooled } = await encoder.runner.encode(chunks.flatMap((c) => c.ids), chunks.length, clipSkip, vectors);
  const size = positions * width;
  chunks.forEach((chunk, i) => applyEmphasis(hidden.subarray(i * size, (i + 1) * size), chunk.multipliers, width));
  const half = uncond.length * size;
  const pooledOf = (chunk: number) => (pooled && encoder.runner.pooledSize ? pooled.slice(chunk * encoder.runner.pooledSize, (chunk + 1) * encoder.runner.pooledSize) : undefined);
  const side = (data: Float32Array, firstChunk: number): EncodedSide => {
    const p = pooledOf(firstChunk);
    return p ? { hidden: data, pooled: p } : { hidden: data };
  };
  return { uncond: side(hidden.slice(0, half), 0), cond: side(hidden.slice(half), uncond.length) };
}

/** Interleaves per-encoder hidden states [tokens, w_e] into [tokens, Σ w_e]. */
export function concatFeatures(parts: readonly { data: Float32Array; width: number }[], tokens: number): Float32Array {
  const total = parts.reduce((n, p) => n + p.width, 0);
  const out = new Float32Array(tokens * total);
  let offset = 0;
  for (const { data, width } of parts) {
    for (let t = 0; t < tokens; t++) out.set(data.subarray(t * width, (t + 1) * width), t * total + offset);
    offset += width;
  }
  return out;
}

export async function encodePromptPair(encoders: readonly PromptEncoder[], prompt: string, negativePrompt: string, options: PromptEncodingOptions): Promise<ConditioningPair> {
  // Extra-network tags (`<lora:…>`) are not text: the LoRAs they name are applied to the weights (app/prompt-loras.ts).
  const usable = (options.embeddings ?? []).filter((ti) => encoders.every((e) => ti.vectors[e.textualInversionKey]?.width === e.runner.hiddenSize));
  const names = new Set(usable.map((ti) => ti.name));
  const positiveText = resolveComfyEmbeddings(stripExtraNetworks(prompt), names);
  const negativeText = resolveComfyEmbeddings(stripExtraNetworks(negativePrompt), names);
  const tokenized = encoders.map((e) => {
    const embeddings = new EmbeddingLookup(e.tokenizer, usable.map((ti) => ({ name: ti.name, count: ti.count, vectors: ti.vectors[e.textualInversionKey]!.data })));
    return { positive: tokenizePrompt(e.tokenizer, positiveText, { embeddings }), negative: tokenizePrompt(e.tokenizer, negativeText, { embeddings }), empty: tokenizePrompt(e.tokenizer, '').chunks[0]! };
  });
  const count = Math.max(...tokenized.flatMap((t) => [t.positive.chunks.length, t.negative.chunks.length]));
  const encoded = await Promise.all(
    encoders.map((encoder, i) => {
      const { positive, negative, empty } = tokenized[i]!;
      const pad = (chunks: readonly PromptChunk[]) => [...chunks, ...Array.from({ length: count - chunks.length }, () => empty)];
      return encodeBoth(encoder, pad(negative.chunks), pad(positive.chunks), options.clipSkip);
    }),
  );
  const tokens = count * tokenized[0]!.empty.ids.length;
  const side = (pick: 'cond' | 'uncond'): TextConditioning => {
    const embeddings = concatFeatures(encoded.map((e, i) => ({ data: e[pick].hidden, width: encoders[i]!.runner.hiddenSize })), tokens);
    const pooled = encoded.find((e) => e[pick].pooled)?.[pick].pooled;
    return pooled ? { embeddings, tokens, pooled } : { embeddings, tokens };
  };
  const cond = side('cond');
  let uncond = side('uncond');
  if (options.zerosForEmptyNegative && negativeText.trim() === '') {
    uncond = { embeddings: new Float32Array(uncond.embeddings.length), tokens, ...(uncond.pooled ? { pooled: new Float32Array(uncond.pooled.length) } : {}) };
  }
  const padded = tokenized.some((t) => t.positive.chunks.length !== t.negative.chunks.length);
  const used = [tokenized[0]!.negative, tokenized[0]!.positive].flatMap((t) => t.chunks.flatMap((c) => c.embeddings.map((p) => p.embedding.name)));
  return { cond, uncond, promptTokenCount: tokenized[0]!.positive.tokenCount, padded, embeddingsUsed: [...new Set(used)] };
}
