// A tiny CLIP-format BPE tokenizer (vocab.json + merges.txt) learnt from a fixed word list: the same file
// format and vocabulary layout as openai/CLIP's (256 byte symbols, the same with </w>, one entry per merge,
// then <|startoftext|> and <|endoftext|>), small enough to generate in milliseconds.

/** GPT-2/CLIP byte → printable character table. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b += 1) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b += 1) printable.push(b);
  for (let b = 0xae; b <= 0xff; b += 1) printable.push(b);
  const bytes = [...printable];
  const codes = [...printable];
  let extra = 0;
  for (let b = 0; b < 256; b += 1) {
    if (!printable.includes(b)) {
      bytes.push(b);
      codes.push(256 + extra);
      extra += 1;
    }
  }
  // CLIP's vocabulary lists the symbols in this (printable-first) order.
  return codes.map((code) => String.fromCodePoint(code));
}

const CORPUS = 'a photo of a person portrait of a woman a man smiling face best quality studio light close up photo of the same person in a garden'.split(' ');

function learnMerges(words: readonly string[], count: number): Array<[string, string]> {
  const corpus = words.map((w) => {
    const symbols = [...w];
    symbols[symbols.length - 1] += '</w>';
    return symbols;
  });
  const merges: Array<[string, string]> = [];
  for (let m = 0; m < count; m += 1) {
    const counts = new Map<string, number>();
    for (const symbols of corpus) for (let i = 0; i + 1 < symbols.length; i += 1) counts.set(`${symbols[i]} ${symbols[i + 1]}`, (counts.get(`${symbols[i]} ${symbols[i + 1]}`) ?? 0) + 1);
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (!best) break;
    const [left, right] = best[0].split(' ') as [string, string];
    merges.push([left, right]);
    for (const symbols of corpus) {
      for (let i = 0; i + 1 < symbols.length; i += 1) {
        if (symbols[i] === left && symbols[i + 1] === right) symbols.splice(i, 2, left + right);
      }
    }
  }
  return merges;
}

export interface TinyTokenizer {
  readonly vocab: Record<string, number>;
  readonly mergesText: string;
  readonly vocabSize: number;
}

export function buildTinyTokenizer(mergeCount = 64): TinyTokenizer {
  const symbols = bytesToUnicode();
  const entries = [...symbols, ...symbols.map((s) => `${s}</w>`)];
  const merges = learnMerges(CORPUS, mergeCount);
  for (const [left, right] of merges) entries.push(left + right);
  entries.push('<|startoftext|>', '<|endoftext|>');
  const vocab: Record<string, number> = {};
  entries.forEach((token, id) => (vocab[token] ??= id));
  return { vocab, mergesText: `#version: 0.2\n${merges.map((m) => m.join(' ')).join('\n')}\n`, vocabSize: entries.length };
}
