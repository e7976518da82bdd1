import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { encodePromptPair } from './conditioning.ts';
import type { TextEncoderRunner } from './runners.ts';

let tokenizer: ClipTokenizer;
before(async () => {
  tokenizer = await ClipTokenizer.fromFolder(fixture('tokenizer'));
});

// An embedding lookup (hidden = [id, 1]) records exactly which ids reached the encoder, in which batch layout.
const calls: { ids: readonly number[]; batch: number; clipSkip: number }[] = [];
const lookup: TextEncoderRunner = {
  hiddenSize: 2,
  encode: async (ids, batch, clipSkip) => {
    calls.push({ ids, batch, clipSkip });
    return { hidden: Float32Array.from(ids.flatMap((id) => [id, 1])) };
  },
};
const single = () => [{ tokenizer, runner: lookup, textualInversionKey: 'single' as const }];

test('the shorter prompt is padded with empty-prompt chunks; one encoder call with [uncond, cond]', async () => {
  calls.length = 0;
  const long = Array.from({ length: 90 }, () => 'cat').join(' ');
  const pair = await encodePromptPair(single(), long, 'lowres <lora:x:1>', { clipSkip: 2 });
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.batch, 4, 'two chunks each');
  assert.equal(calls[0]!.clipSkip, 2);
  assert.equal(pair.cond.tokens, 154);
  assert.equal(pair.uncond.tokens, 154);
  const uncondIds = calls[0]!.ids.slice(0, 154);
  assert.deepEqual(uncondIds.slice(0, 77), tokenizer.encodePadded('lowres').ids, 'tag stripped from the negative prompt');
  assert.deepEqual(uncondIds.slice(77), tokenizer.encodePadded('').ids, 'padded with the empty prompt');
  assert.equal(pair.promptTokenCount, 90);
});

test('emphasis scales the weighted tokens and keeps each chunk mean', async () => {
  const plain = await encodePromptPair(single(), 'a red cat', '', { clipSkip: 1 });
  const weighted = await encodePromptPair(single(), 'a (red:1.5) cat', '', { clipSkip: 1 });
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(weighted.cond.embeddings) - mean(plain.cond.embeddings)) < 1e-3 * Math.abs(mean(plain.cond.embeddings)));
  const ratio = (e: Float32Array, position: number) => e[position * 2 + 1]!;
  assert.ok(Math.abs(ratio(weighted.cond.embeddings, 2) / ratio(weighted.cond.embeddings, 1) - 1.5) < 1e-5, 'position 2 (red) is 1.5× position 1 (a)');
});

// SDXL: a second encoder (3 wide, pooled = [first id of the chunk, chunk count, 7]) beside the 2-wide lookup.
const pooledLookup: TextEncoderRunner = {
  hiddenSize: 3,
  pooledSize: 3,
  encode: async (ids, batch) => {
    const positions = ids.length / batch;
    return {
      hidden: Float32Array.from(ids.flatMap((id) => [id, 2, 3])),
      pooled: Float32Array.from({ length: batch * 3 }, (_, i) => (i % 3 === 0 ? ids[(i / 3) * positions + 1]! : i % 3 === 1 ? batch : 7)),
    };
  },
};

test('two encoders: hidden states side by side per token, pooled from the first chunk, zeros for an empty negative', async () => {
  const encoders = [{ tokenizer, runner: lookup, textualInversionKey: 'clip_l' as const }, { tokenizer, runner: pooledLookup, textualInversionKey: 'clip_g' as const }];
  const long = Array.from({ length: 80 }, () => 'cat').join(' ');
  const pair = await encodePromptPair(encoders, `dog ${long}`, '', { clipSkip: 1, zerosForEmptyNegative: true });
  assert.equal(pair.cond.tokens, 154);
  assert.equal(pair.cond.embeddings.length, 154 * 5);
  const dog = tokenizer.encode('dog')[0]!;
  assert.deepEqual([...pair.cond.embeddings.subarray(5, 10)], [dog, 1, dog, 2, 3], 'token 1: [lookup | second encoder]');
  assert.deepEqual([...pair.cond.pooled!], [dog, 4, 7], 'pooled of the prompt\'s first chunk (batch of 4 chunks)');
  assert.ok(pair.uncond.embeddings.every((v) => v === 0) && pair.uncond.pooled!.every((v) => v === 0));
  const encoded = await encodePromptPair(encoders, 'dog', '', { clipSkip: 1 });
  assert.ok(encoded.uncond.embeddings.some((v) => v !== 0), 'without the zeros rule, "" is encoded');
});
