import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePromptAttention } from './prompt-attention.ts';

const close = (actual: { text: string; weight: number }[], expected: [string, number][]) => {
  assert.equal(actual.length, expected.length, JSON.stringify(actual));
  actual.forEach((piece, i) => {
    assert.equal(piece.text, expected[i]![0]);
    assert.ok(Math.abs(piece.weight - expected[i]![1]) < 1e-12, `${piece.text}: ${piece.weight} vs ${expected[i]![1]}`);
  });
};

// The examples documented in A1111's prompt_parser.parse_prompt_attention.
test('A1111 documented examples parse to the same pieces and weights', () => {
  close(parsePromptAttention('normal text'), [['normal text', 1]]);
  close(parsePromptAttention('an (important) word'), [['an ', 1], ['important', 1.1], [' word', 1]]);
  close(parsePromptAttention('(unbalanced'), [['unbalanced', 1.1]]);
  close(parsePromptAttention('\\(literal\\]'), [['(literal]', 1]]);
  close(parsePromptAttention('(unnecessary)(parens)'), [['unnecessaryparens', 1.1]]);
  close(parsePromptAttention('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).'), [
    ['a ', 1], ['house', 1.3 * 1.1 * 1.1], [' ', 1.1], ['on', 1], [' a ', 1.1], ['hill', 0.55], [', sun, ', 1.1], ['sky', 1.1 ** 4], ['.', 1.1],
  ]);
});

test('square brackets divide by 1.1 and explicit weights multiply', () => {
  close(parsePromptAttention('[worst quality], (blue eyes:1.4)'), [['worst quality', 1 / 1.1], [', ', 1], ['blue eyes', 1.4]]);
  close(parsePromptAttention('((a:0.5))'), [['a', 0.55]]);
});

test('BREAK splits into its own piece with weight -1; empty prompt is one empty piece', () => {
  close(parsePromptAttention('one BREAK two'), [['one', 1], ['BREAK', -1], ['two', 1]]);
  close(parsePromptAttention(''), [['', 1]]);
  close(parsePromptAttention('a \\\\ b: c'), [['a \\ b: c', 1]]);
});
