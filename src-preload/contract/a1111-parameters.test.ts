import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatA1111Parameters, parseA1111Parameters, type A1111Fields } from './a1111-parameters.ts';
import { addPngText, readPngTexts, setPngText } from './png-text.ts';
import { SAMPLERS } from './generation.ts';

const base: A1111Fields = {
  prompt: 'portrait of a woman, (red coat:1.2), rainy street',
  negativePrompt: 'lowres, blurry',
  steps: 30,
  sampler: 'DPM++ 2M Karras',
  cfg: 6.5,
  seed: 1234567890,
  width: 512,
  height: 768,
};

test('writes the exact A1111 layout, with Karras as a schedule type and clip skip only when > 1', () => {
  assert.equal(
    formatA1111Parameters({ ...base, clipSkip: 2, model: 'sd15' }),
    'portrait of a woman, (red coat:1.2), rainy street\nNegative prompt: lowres, blurry\nSteps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 512x768, Model: sd15, Clip skip: 2',
  );
  const line = (sampler: A1111Fields['sampler']) => formatA1111Parameters({ ...base, sampler }).split('\n').at(-1)!.split(', ').slice(1, 3).join(', ');
  assert.equal(line('PNDM'), 'Sampler: PLMS, Schedule type: Automatic', 'diffusers PNDM is A1111 PLMS');
  assert.equal(line('Euler a'), 'Sampler: Euler a, Schedule type: Automatic');
  assert.equal(line('DPM++ 2M'), 'Sampler: DPM++ 2M, Schedule type: Uniform', 'A1111 1.9+ would run plain DPM++ 2M with Karras under Automatic');
  assert.ok(!formatA1111Parameters({ ...base, clipSkip: 1 }).includes('Clip skip'));
  assert.ok(!formatA1111Parameters({ ...base, negativePrompt: '' }).includes('Negative prompt'));
});

test('round trip: every sampler, multi-line prompts, quoted values and img2img strength parse back', () => {
  for (const sampler of SAMPLERS) {
    const fields: A1111Fields = { ...base, sampler, prompt: 'line one\nline two: with colon', clipSkip: 2, denoisingStrength: 0.45, extra: { 'FaceID weight': 0.8, 'FaceID adapter': 'ip-adapter, v2' } };
    const parsed = parseA1111Parameters(formatA1111Parameters(fields));
    assert.equal(parsed.prompt, fields.prompt);
    assert.equal(parsed.negativePrompt, fields.negativePrompt);
    assert.deepEqual(parsed.params, {
      prompt: fields.prompt, negativePrompt: fields.negativePrompt, steps: 30, sampler, cfg: 6.5, seed: 1234567890, width: 512, height: 768, clipSkip: 2,
    });
    assert.equal(parsed.denoisingStrength, 0.45);
    assert.equal(parsed.raw['FaceID adapter'], 'ip-adapter, v2');
  }
});

test('A1111 sampler and schedule pairs of every version read as ours', () => {
  const sampler = (pair: string) => parseA1111Parameters(`x\nSteps: 20, ${pair}, CFG scale: 7, Seed: 1, Size: 512x512`).params.sampler;
  assert.equal(sampler('Sampler: DPM++ 2M Karras'), 'DPM++ 2M Karras', 'before 1.9 the schedule was in the name');
  assert.equal(sampler('Sampler: DPM++ 2M'), 'DPM++ 2M', 'before 1.9 plain DPM++ 2M ran on the model schedule');
  assert.equal(sampler('Sampler: DPM++ 2M, Schedule type: Automatic'), 'DPM++ 2M Karras', 'since 1.9 Automatic means Karras for DPM++ 2M');
  assert.equal(sampler('Sampler: DPM++ 2M, Schedule type: Uniform'), 'DPM++ 2M');
  assert.equal(sampler('Sampler: PLMS'), 'PNDM');
  assert.equal(sampler('Sampler: Euler, Schedule type: Karras'), undefined, 'a schedule we do not have is not silently dropped');
  assert.equal(sampler('Sampler: Heun'), undefined);
});

test('parses text written by A1111 itself', () => {
  const text = 'a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: 15012c538f, Model: rv51, ControlNet 0: "Module: ip-adapter_face_id_plus, Weight: 0.8", Version: v1.10.1';
  const parsed = parseA1111Parameters(text);
  assert.equal(parsed.params.sampler, 'Euler a');
  assert.equal(parsed.params.clipSkip, 1, 'missing Clip skip means 1');
  assert.equal(parsed.raw['ControlNet 0'], 'Module: ip-adapter_face_id_plus, Weight: 0.8');
  const noParams = parseA1111Parameters('just a prompt\nwith two lines');
  assert.equal(noParams.prompt, 'just a prompt\nwith two lines');
  assert.deepEqual(noParams.raw, {});
});

test('PNG text chunks: Latin-1 as tEXt, other text as UTF-8 iTXt, both read back', async () => {
  const sharp = (await import('sharp')).default;
  const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer());
  const latin = addPngText(png, 'parameters', 'café, Steps: 20');
  const unicode = addPngText(latin, 'faceid', '日本語 😀');
  assert.deepEqual(readPngTexts(unicode), { parameters: 'café, Steps: 20', faceid: '日本語 😀' });
  assert.ok(Buffer.from(latin).includes(Buffer.from('tEXtparameters')));
  assert.ok(Buffer.from(unicode).includes(Buffer.from('iTXtfaceid')));
  const meta = await sharp(Buffer.from(unicode)).metadata();
  assert.equal(meta.width, 4, 'the PNG stays valid for decoders');
  assert.deepEqual(readPngTexts(new Uint8Array([1, 2, 3])), {});
});

test('setPngText leaves exactly one chunk under the key, keeping the others', async () => {
  const sharp = (await import('sharp')).default;
  const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#654321' } }).png().toBuffer());
  const twice = addPngText(addPngText(addPngText(png, 'parameters', 'old one'), 'parameters', 'old two'), 'prompt', '{}');
  const replaced = setPngText(twice, 'parameters', 'new');
  assert.equal(Buffer.from(replaced).toString('latin1').split('tEXtparameters').length - 1, 1);
  assert.deepEqual(readPngTexts(replaced), { parameters: 'new', prompt: '{}' });
  assert.equal((await sharp(Buffer.from(replaced)).metadata()).width, 4);
});
