// A1111's emphasis syntax (modules/prompt_parser.py parse_prompt_attention), with the same results:
//   (text)      weight × 1.1          [text]      weight ÷ 1.1
//   (text:1.5)  weight × 1.5          \( \) \[ \] literal brackets, \\ a literal backslash
//   BREAK       (upper case, a word on its own) starts a new 75-token chunk
// Unclosed brackets apply to the end of the prompt; neighbouring pieces with equal weights are merged.

export interface WeightedText {
  readonly text: string;
  /** Multiplier for these tokens' embeddings; `BREAK` pieces carry weight −1. */
  readonly weight: number;
}

export const BREAK_WEIGHT = -1;

const ROUND_MULTIPLIER = 1.1;
const SQUARE_MULTIPLIER = 1 / 1.1;

// The same alternatives, in the same order, as A1111's re_attention.
const ATTENTION_TOKEN = /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|\]|[^\\()[\]:]+|:/gu;
const BREAK_SPLIT = /\s*\bBREAK\b\s*/u;

export function parsePromptAttention(prompt: string): WeightedText[] {
  const pieces: { text: string; weight: number }[] = [];
  const roundOpen: number[] = [];
  const squareOpen: number[] = [];
  const multiplyFrom = (start: number, multiplier: number): void => {
    for (let p = start; p < pieces.length; p++) pieces[p]!.weight *= multiplier;
  };

  for (const match of prompt.matchAll(ATTENTION_TOKEN)) {
    const token = match[0];
    const weight = match[1];
    if (token.startsWith('\\')) {
      pieces.push({ text: token.slice(1), weight: 1 });
    } else if (token === '(') {
      roundOpen.push(pieces.length);
    } else if (token === '[') {
      squareOpen.push(pieces.length);
    } else if (weight !== undefined && roundOpen.length > 0) {
      multiplyFrom(roundOpen.pop()!, parsePythonFloat(weight));
    } else if (token === ')' && roundOpen.length > 0) {
      multiplyFrom(roundOpen.pop()!, ROUND_MULTIPLIER);
    } else if (token === ']' && squareOpen.length > 0) {
      multiplyFrom(squareOpen.pop()!, SQUARE_MULTIPLIER);
    } else {
      token.split(BREAK_SPLIT).forEach((part, i) => {
        if (i > 0) pieces.push({ text: 'BREAK', weight: BREAK_WEIGHT });
        pieces.push({ text: part, weight: 1 });
      });
    }
  }
  for (const start of roundOpen) multiplyFrom(start, ROUND_MULTIPLIER);
  for (const start of squareOpen) multiplyFrom(start, SQUARE_MULTIPLIER);

  if (pieces.length === 0) return [{ text: '', weight: 1 }];
  const merged: { text: string; weight: number }[] = [pieces[0]!];
  for (const piece of pieces.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (last.weight === piece.weight) last.text += piece.text;
    else merged.push(piece);
  }
  return merged;
}

/** Python's float() for the `[+-]?[.\d]+` the regex admits; text like "1.2.3" that Python rejects counts as 1. */
function parsePythonFloat(text: string): number {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)$/u.test(text) ? Number.parseFloat(text) : 1;
}
