// Prompt → text conditioning as A1111 builds it: 75-token chunks encoded separately and concatenated, emphasis
// applied per chunk, and the shorter of prompt / negative prompt padded with empty-prompt chunks so both have the
// same length (A1111 pads with the encoded empty prompt).
import type { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { applyEmphasis, tokenizePrompt, type PromptChunk } from '../text/prompt-chunks.ts';
import type { TextEncoderRunner } from './runners.ts';

export interface TextConditioning {
  /** [tokens, hiddenSize] for one prompt. */
  readonly embeddings: Float32Array;
  readonly tokens: number;
}

export interface ConditioningPair {
  readonly cond: TextConditioning;
  readonly uncond: TextConditioning;
  /** Prompt tokens as A1111 counts them (for the UI's token counter). */
  readonly promptTokenCount: number;
}

async function encodeChunks(encoder: TextEncoderRunner, chunks: readonly PromptChunk[], clipSkip: number): Promise<Float32Array> {
  const ids = chunks.flatMap((c) => c.ids);
  const positions = chunks[0]?.ids.length ?? 0;
  const hidden = await encoder.encode(ids, chunks.length, clipSkip);
  const size = positions * encoder.hiddenSize;
  chunks.forEach((chunk, i) => applyEmphasis(hidden.subarray(i * size, (i + 1) * size), chunk.multipliers, encoder.hiddenSize));
  return hidden;
}

// A1111 extra-network tags (`<lora:name:0.8>`, `<hypernet:…>`, `<lyco:…>`) are removed from the text before
// tokenizing, as A1111 does; LoRAs are chosen with the LoRA setting instead.
const EXTRA_NETWORK_TAG = /<(?:lora|lyco|hypernet):[^>]*>/giu;

export function stripExtraNetworkTags(prompt: string): string {
  return prompt.replace(EXTRA_NETWORK_TAG, '');
}

export async function encodePromptPair(
  tokenizer: ClipTokenizer,
  encoder: TextEncoderRunner,
  prompt: string,
  negativePrompt: string,
  clipSkip: number,
): Promise<ConditioningPair> {
  const positive = tokenizePrompt(tokenizer, stripExtraNetworkTags(prompt));
  const negative = tokenizePrompt(tokenizer, stripExtraNetworkTags(negativePrompt));
  const count = Math.max(positive.chunks.length, negative.chunks.length);
  const empty = tokenizePrompt(tokenizer, '').chunks[0]!;
  const pad = (chunks: PromptChunk[]) => [...chunks, ...Array.from({ length: count - chunks.length }, () => empty)];
  const condChunks = pad(positive.chunks);
  const uncondChunks = pad(negative.chunks);
  // One encoder call for both prompts; emphasis is per chunk, so batching does not change the result.
  const hidden = await encodeChunks(encoder, [...uncondChunks, ...condChunks], clipSkip);
  const tokens = count * (empty.ids.length);
  const half = tokens * encoder.hiddenSize;
  return {
    uncond: { embeddings: hidden.slice(0, half), tokens },
    cond: { embeddings: hidden.slice(half, 2 * half), tokens },
    promptTokenCount: positive.tokenCount,
  };
}
