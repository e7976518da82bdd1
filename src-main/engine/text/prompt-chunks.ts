// Long prompts and emphasis the way A1111 handles them (sd_hijack_clip.py tokenize_line): each emphasis piece is
// tokenized on its own, tokens are packed into chunks of 75, each chunk becomes BOS + 75 + EOS (padded with EOS);
// the chunks are encoded separately and their hidden states concatenated (77·n positions). When a chunk fills up and
// a comma lies within the last COMMA_BACKTRACK tokens, the words after that comma move to the next chunk
// (A1111's default "comma padding backtrack" of 20). BREAK closes the current chunk early. A textual-inversion name
// (prompt-embeddings.ts) takes one position per vector, with the piece's weight; placeholders hold id 0 as in A1111,
// and an embedding that does not fit in what is left of a chunk starts the next one.
import { BREAK_WEIGHT, parsePromptAttention } from './prompt-attention.ts';
import { CLIP_CHUNK_LENGTH, type ClipTokenizer } from './clip-tokenizer.ts';
import type { EmbeddingLookup, PromptEmbedding } from './prompt-embeddings.ts';

export const COMMA_BACKTRACK = 20;

export interface PromptChunk {
  /** 77 ids: BOS, 75 tokens or padding, EOS. */
  readonly ids: number[];
  /** 77 embedding multipliers (1 for BOS/EOS/padding). */
  readonly multipliers: number[];
  /** Embeddings placed in this chunk: `position` is the first of their positions among the 77 ids. */
  readonly embeddings: readonly PlacedEmbedding[];
}

export interface PlacedEmbedding {
  readonly position: number;
  readonly embedding: PromptEmbedding;
}

/** The placeholder id under an embedding's vectors (A1111 puts 0 there; the vectors replace its embedding). */
const EMBEDDING_PLACEHOLDER_ID = 0;

export interface TokenizedPrompt {
  readonly chunks: PromptChunk[];
  /** Prompt tokens counted as A1111 shows them (75 per full chunk). */
  readonly tokenCount: number;
}

export interface ChunkOptions {
  /** Parse `(word:1.2)` / `[word]` / BREAK; off = the prompt is plain text with weight 1. */
  readonly emphasis?: boolean;
  /** Textual-inversion names to replace by their vectors (for this tokenizer's encoder). */
  readonly embeddings?: EmbeddingLookup;
}

export function tokenizePrompt(tokenizer: ClipTokenizer, prompt: string, options: ChunkOptions = {}): TokenizedPrompt {
  const pieces = options.emphasis === false ? [{ text: prompt, weight: 1 }] : parsePromptAttention(prompt);
  const chunks: PromptChunk[] = [];
  let tokens: number[] = [];
  let multipliers: number[] = [];
  // Positions here are among the chunk's tokens (without BOS).
  let placed: PlacedEmbedding[] = [];
  let tokenCount = 0;
  let lastComma = -1;

  const closeChunk = (isLast: boolean): void => {
    tokenCount += isLast ? tokens.length : CLIP_CHUNK_LENGTH;
    const padded = tokenizer.wrapChunk(tokens);
    const weights = [1, ...multipliers, 1];
    while (weights.length < padded.ids.length) weights.push(1);
    chunks.push({ ids: padded.ids, multipliers: weights, embeddings: placed.map((p) => ({ ...p, position: p.position + 1 })) });
    tokens = [];
    multipliers = [];
    placed = [];
    lastComma = -1;
  };

  for (const piece of pieces) {
    if (piece.text === 'BREAK' && piece.weight === BREAK_WEIGHT) {
      closeChunk(false);
      continue;
    }
    const pieceTokens = tokenizer.encode(piece.text);
    for (let at = 0; at < pieceTokens.length; ) {
      const token = pieceTokens[at]!;
      if (token === tokenizer.commaId) {
        lastComma = tokens.length;
      } else if (tokens.length === CLIP_CHUNK_LENGTH && lastComma !== -1 && tokens.length - lastComma <= COMMA_BACKTRACK) {
        // The words after the comma move to the next chunk, with any embedding among them.
        const breakAt = lastComma + 1;
        const movedTokens = tokens.slice(breakAt);
        const movedMultipliers = multipliers.slice(breakAt);
        const movedEmbeddings = placed.filter((p) => p.position >= breakAt).map((p) => ({ ...p, position: p.position - breakAt }));
        tokens = tokens.slice(0, breakAt);
        multipliers = multipliers.slice(0, breakAt);
        placed = placed.filter((p) => p.position < breakAt);
        closeChunk(false);
        tokens = movedTokens;
        multipliers = movedMultipliers;
        placed = movedEmbeddings;
      }
      if (tokens.length === CLIP_CHUNK_LENGTH) closeChunk(false);
      const embedding = options.embeddings?.at(pieceTokens, at);
      if (embedding === undefined) {
        tokens.push(token);
        multipliers.push(piece.weight);
        at += 1;
        continue;
      }
      if (tokens.length + embedding.count > CLIP_CHUNK_LENGTH) closeChunk(false);
      placed.push({ position: tokens.length, embedding });
      for (let k = 0; k < embedding.count; k++) {
        tokens.push(EMBEDDING_PLACEHOLDER_ID);
        multipliers.push(piece.weight);
      }
      at += embedding.nameIds.length;
    }
  }
  if (tokens.length > 0 || chunks.length === 0) closeChunk(true);
  return { chunks, tokenCount };
}

/**
 * A1111's emphasis on one chunk's hidden states [77, C]: multiply each position by its weight, then rescale the whole
 * chunk so its mean is what it was before ("Original" emphasis mode).
 */
export function applyEmphasis(hidden: Float32Array, multipliers: readonly number[], channels: number): void {
  if (multipliers.every((m) => m === 1)) return;
  let before = 0;
  for (let i = 0; i < hidden.length; i++) before += hidden[i]!;
  let after = 0;
  for (let position = 0; position < multipliers.length; position++) {
    const m = multipliers[position]!;
    const base = position * channels;
    for (let c = 0; c < channels; c++) {
      const v = hidden[base + c]! * m;
      hidden[base + c] = v;
      after += v;
    }
  }
  if (after === 0) return;
  const scale = before / after;
  for (let i = 0; i < hidden.length; i++) hidden[i] = hidden[i]! * scale;
}
