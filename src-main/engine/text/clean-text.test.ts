import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanPromptText, fixText } from './clean-text.ts';

test('fixes what ftfy fixes in prompts', () => {
  assert.equal(fixText('cafÃ© and donâ€™t'), 'café and don\'t');
  assert.equal(fixText('ﬁne ﬂow'), 'fine flow');
  assert.equal(fixText('ｆｕｌｌ １２３'), 'full 123');
  assert.equal(fixText('“curly” ‘quotes’'), '"curly" \'quotes\'');
  assert.equal(fixText('Tom &amp;amp; Jerry'), 'Tom & Jerry');
  assert.equal(fixText('<b>x</b> &amp;'), '<b>x</b> &amp;', 'HTML-looking text keeps its entities');
  assert.equal(fixText('bell\u0007 and \u0085'), 'bell and …');
  assert.equal(fixText('e\u0301'), 'é');
});

test('keeps ordinary accented text and symbols', () => {
  assert.equal(fixText('naïve résumé Ⅻ ½ ™'), 'naïve résumé Ⅻ ½ ™');
});

test('collapses whitespace, strips and lowercases', () => {
  assert.equal(cleanPromptText('  A\tB\n\u00A0C  '), 'a b c');
});
