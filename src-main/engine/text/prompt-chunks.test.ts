import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import { applyEmphasis, tokenizePrompt } from './prompt-chunks.ts';
import { EmbeddingLookup } from './prompt-embeddings.ts';

let tokenizer: ClipTokenizer;
before(async () => {
  tokenizer = await ClipTokenizer.fromFolder(fixture('tokenizer'));
});

test('a short prompt is one chunk equal to the padded tokenizer output, weights 1', () => {
  const { chunks, tokenCount } = tokenizePrompt(tokenizer, 'a photo of a cat');
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]!.ids, tokenizer.encodePadded('a photo of a cat').ids);
  assert.ok(chunks[0]!.multipliers.every((m) => m === 1));
  assert.equal(tokenCount, 5);
});

test('emphasis weights land on exactly the emphasised tokens', () => {
  const { chunks } = tokenizePrompt(tokenizer, 'a (red:1.5) cat');
  const ids = tokenizer.encode('a red cat');
  assert.deepEqual(chunks[0]!.ids.slice(1, 4), ids);
  assert.deepEqual(chunks[0]!.multipliers.slice(0, 5), [1, 1, 1.5, 1, 1]);
});

test('prompts past 75 tokens continue in a second chunk; each chunk is BOS … EOS', () => {
  const prompt = Array.from({ length: 100 }, () => 'cat').join(' ');
  const { chunks, tokenCount } = tokenizePrompt(tokenizer, prompt);
  assert.equal(chunks.length, 2);
  for (const chunk of chunks) {
    assert.equal(chunk.ids.length, 77);
    assert.equal(chunk.ids[0], tokenizer.bosId);
    assert.equal(chunk.ids[76], tokenizer.eosId);
  }
  const cat = tokenizer.encode('cat')[0];
  assert.equal(chunks[0]!.ids.filter((id) => id === cat).length, 75);
  assert.equal(chunks[1]!.ids.filter((id) => id === cat).length, 25);
  assert.equal(tokenCount, 100);
});

test('a full chunk moves the words after a recent comma to the next chunk (A1111 backtrack 20)', () => {
  // 70 'cat' then ', dog dog dog dog dog dog dog dog': the comma is token 71, the chunk fills at 75.
  const prompt = `${Array.from({ length: 70 }, () => 'cat').join(' ')}, ${Array.from({ length: 8 }, () => 'dog').join(' ')}`;
  const { chunks } = tokenizePrompt(tokenizer, prompt);
  const dog = tokenizer.encode('dog')[0];
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0]!.ids.filter((id) => id === dog).length, 0);
  assert.equal(chunks[0]!.ids[71], tokenizer.commaId);
  assert.equal(chunks[1]!.ids.filter((id) => id === dog).length, 8);
});

test('BREAK starts a new chunk; the empty prompt is one chunk of BOS + EOS padding', () => {
  assert.equal(tokenizePrompt(tokenizer, 'a cat BREAK a dog').chunks.length, 2);
  const empty = tokenizePrompt(tokenizer, '').chunks;
  assert.equal(empty.length, 1);
  assert.deepEqual(empty[0]!.ids.slice(0, 3), [tokenizer.bosId, tokenizer.eosId, tokenizer.eosId]);
});

test('emphasis multiplies positions then restores the chunk mean', () => {
  const channels = 2;
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const before = mean(hidden);
  applyEmphasis(hidden, [1, 2, 1], channels);
  assert.ok(Math.abs(mean(hidden) - before) < 1e-6);
  assert.ok(Math.abs(hidden[2]! / hidden[0]! - 6) < 1e-5, 'position 1 is doubled relative to position 0');
});

test('bad tokenizer folder is a StudioError naming the folder', async () => {
  await assert.rejects(ClipTokenizer.fromFolder('/nonexistent/tok'), (e: Error & { code?: string; hint?: string }) => e.code === 'generate.model-missing' && e.message.includes('/nonexistent/tok') && /vocab\.json and merges\.txt/.test(e.hint ?? ''));
});

test('an embedding takes one position per vector, and one that does not fit in the chunk starts the next (A1111)', () => {
  const vectors = 3;
  const embeddings = new EmbeddingLookup(tokenizer, [{ name: 'tinystyle', count: vectors, vectors: new Float32Array(vectors * 4) }]);
  const one = tokenizePrompt(tokenizer, 'a (tinystyle:1.2) cat', { embeddings });
  const a = tokenizer.encode('a');
  assert.deepEqual(one.chunks[0]!.embeddings.map((p) => [p.embedding.name, p.position]), [['tinystyle', 1 + a.length]]);
  assert.deepEqual(one.chunks[0]!.ids.slice(1 + a.length, 1 + a.length + vectors), [0, 0, 0]);
  assert.deepEqual(one.chunks[0]!.multipliers.slice(1 + a.length, 1 + a.length + vectors), [1.2, 1.2, 1.2]);
  assert.equal(one.tokenCount, a.length + vectors + tokenizer.encode('cat').length);

  // 74 word tokens leave one position: the three vectors move to the next chunk whole.
  const filler = Array.from({ length: 74 }, () => 'cat').join(' ');
  assert.equal(tokenizer.encode(filler).length, 74);
  const split = tokenizePrompt(tokenizer, `${filler} tinystyle`, { embeddings });
  assert.equal(split.chunks.length, 2);
  assert.deepEqual(split.chunks[0]!.embeddings, []);
  assert.deepEqual(split.chunks[1]!.embeddings.map((p) => p.position), [1]);
  assert.equal(split.tokenCount, 75 + vectors);
  // Without the embedding the name is words.
  assert.deepEqual(tokenizePrompt(tokenizer, 'a tinystyle cat').chunks[0]!.ids, tokenizer.encodePadded('a tinystyle cat').ids);
});
