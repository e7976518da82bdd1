import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptLoras, stripExtraNetworks } from './extra-networks.ts';

test('every extra-network tag leaves the text, as A1111 parse_prompt takes them out', () => {
  assert.equal(stripExtraNetworks('a <lora:style_v2:0.7> cat <LyCO:x:1> <hypernet:h:1>, red'), 'a  cat  , red');
  assert.equal(stripExtraNetworks('no tags (here:1.2) <not a tag>'), 'no tags (here:1.2) <not a tag>');
});

test('<lora:name:weight> tags: names with spaces, weight 1 when left out, A1111\'s extra arguments ignored', () => {
  assert.deepEqual(promptLoras('x <lora:film grain:0.7> <lora:detail> <LORA:add_detail:-0.5:0.3> <hypernet:h:1>'), [
    { name: 'film grain', weight: 0.7 },
    { name: 'detail', weight: 1 },
    { name: 'add_detail', weight: -0.5 },
  ]);
  assert.ok(Number.isNaN(promptLoras('<lora:x:strong>')[0]!.weight), 'a weight that is no number is reported, not taken as 1');
});
