import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationParamsSchema, type GenerationParams } from './generation.ts';
import { generationInfotext, recallInfotext } from './infotext.ts';

/**
 * A reader written from the rules of A1111's modules/infotext_utils.py parse_generation_parameters (v1.10), kept apart
 * from our parser so both are checked against the rules rather than against each other: the last line is the
 * parameter line only if the key/value pattern finds at least 3 pairs in it; earlier lines are stripped, and those
 * from the one starting "Negative prompt:" on are the negative prompt; a value in double quotes is JSON; a value
 * like 512x768 becomes `<key>-1` and `<key>-2`.
 */
function a1111Reader(text: string): Record<string, string> {
  const pair = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;
  const lines = text.trim().split('\n');
  let last = lines.pop()!;
  if ([...last.matchAll(pair)].length < 3) {
    lines.push(last);
    last = '';
  }
  const result: Record<string, string> = { Prompt: '', 'Negative prompt': '' };
  let inNegative = false;
  for (let line of lines.map((l) => l.trim())) {
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      line = line.slice('Negative prompt:'.length).trim();
    }
    const key = inNegative ? 'Negative prompt' : 'Prompt';
    result[key] = result[key] === '' ? line : `${result[key]}\n${line}`;
  }
  for (const [, key, raw] of last.matchAll(pair)) {
    const value = raw!.startsWith('"') && raw!.endsWith('"') ? (JSON.parse(raw!) as string) : raw!;
    const size = /^(\d+)x(\d+)$/u.exec(value);
    if (size) [result[`${key}-1`], result[`${key}-2`]] = [size[1]!, size[2]!];
    else result[key!] = value;
  }
  return result;
}

const faceIdGeneration: GenerationParams = GenerationParamsSchema.parse({
  model: '/models/Stable-diffusion/realisticVisionV51_v51VAE.safetensors',
  prompt: 'photo of Ada, "quoted", colon: yes\nsecond line, (red coat:1.2)',
  negativePrompt: 'lowres, blurry',
  seed: 4_000_000_001,
  steps: 28,
  cfg: 6.5,
  sampler: 'PNDM',
  width: 512,
  height: 768,
  clipSkip: 2,
  img2img: { initImage: '/tmp/init.png', strength: 0.45 },
  inpaint: { maskImage: '/tmp/mask.png', featherPx: 6 },
  loras: [{ file: '/models/Lora/film grain.safetensors', strength: 0.7 }],
  faceid: { adapter: '/models/ipadapter/ip-adapter-faceid-plusv2_sd15.bin', characterId: 'c-1', faceWeight: 0.85, structure: 1.5, loraWeight: 0.6, combine: 'concatenate' },
});

const facts = { seed: 4_000_000_001, modelHash: '15012c538f', loraHashes: { 'film grain': 'a1b2c3d4e5f6' }, padConds: true, version: 'FaceID Studio 0.1.0' };

test('an A1111 reader built from parse_generation_parameters finds every field we write, with A1111 values', () => {
  const fields = a1111Reader(generationInfotext(faceIdGeneration, facts));
  assert.deepEqual(fields, {
    Prompt: 'photo of Ada, "quoted", colon: yes\nsecond line, (red coat:1.2) <lora:film grain:0.7> <lora:ip-adapter-faceid-plusv2_sd15_lora:0.6>',
    'Negative prompt': 'lowres, blurry',
    Steps: '28',
    Sampler: 'PLMS',
    'Schedule type': 'Automatic',
    'CFG scale': '6.5',
    Seed: '4000000001',
    'Size-1': '512',
    'Size-2': '768',
    'Model hash': '15012c538f',
    Model: 'realisticVisionV51_v51VAE',
    'Denoising strength': '0.45',
    'Clip skip': '2',
    'Mask blur': '6',
    RNG: 'CPU',
    'Pad conds': 'True',
    'Lora hashes': 'film grain: a1b2c3d4e5f6',
    'FaceID model': 'ip-adapter-faceid-plusv2_sd15',
    'FaceID weight': '0.85',
    'FaceID structure': '1.5',
    'FaceID combine': 'concatenate',
    'FaceID character': 'c-1',
    Version: 'FaceID Studio 0.1.0',
  });
});

test('Pad conds only when we padded; no hashes, no hash keys', () => {
  const plain = GenerationParamsSchema.parse({ model: '/m/sd15', prompt: 'a cat', seed: 1, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 });
  const fields = a1111Reader(generationInfotext(plain, { seed: 1 }));
  assert.equal(fields['Pad conds'], undefined);
  assert.equal(fields['Model hash'], undefined);
  assert.equal(fields['Lora hashes'], undefined);
  assert.equal(fields.RNG, 'CPU');
  assert.equal(fields.Prompt, 'a cat');
});

test('our infotext reads back into every setting: FaceID keys, its LoRA tag as LoRA weight, clip skip, model and hashes', () => {
  const recalled = recallInfotext(generationInfotext(faceIdGeneration, facts));
  assert.deepEqual(recalled.params, {
    prompt: 'photo of Ada, "quoted", colon: yes\nsecond line, (red coat:1.2) <lora:film grain:0.7>',
    negativePrompt: 'lowres, blurry', steps: 28, sampler: 'PNDM', cfg: 6.5, seed: 4_000_000_001, width: 512, height: 768, clipSkip: 2,
  });
  assert.deepEqual(recalled.model, { name: 'realisticVisionV51_v51VAE', hash: '15012c538f' });
  assert.deepEqual(recalled.loras, [{ name: 'film grain', weight: 0.7, hash: 'a1b2c3d4e5f6' }]);
  assert.deepEqual(recalled.faceid, { adapterName: 'ip-adapter-faceid-plusv2_sd15', faceWeight: 0.85, structure: 1.5, combine: 'concatenate', characterId: 'c-1', loraWeight: 0.6 });
  assert.equal(recalled.denoisingStrength, 0.45);
  assert.deepEqual(recalled.unsupported, []);
});

// Infotexts in the layout A1111 writes them (A1111 1.6 / 1.9 / 1.10, sd-webui-controlnet 1.1.44x FaceID units).
const A1111_SAMPLES = {
  controlNetFaceIdPlusV2:
    'photo of a woman in a garden, golden hour <lora:ip-adapter-faceid-plusv2_sd15_lora:0.65>\nNegative prompt: lowres, bad anatomy\n' +
    'Steps: 25, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6, Seed: 2891236481, Size: 512x768, Model hash: 15012c538f, Model: realisticVisionV51_v51VAE, ' +
    'ControlNet 0: "Module: ip-adapter_face_id_plus, Model: ip-adapter-faceid-plusv2_sd15 [6e14fc1a], Weight: 0.85, Resize Mode: Crop and Resize, Processor Res: 512, Threshold A: 0.5, Threshold B: 0.5, Guidance Start: 0.0, Guidance End: 1.0, Pixel Perfect: False, Control Mode: Balanced", ' +
    'Lora hashes: "ip-adapter-faceid-plusv2_sd15_lora: 5b4a4e6a1b2c", Version: v1.10.1',
  controlNetFaceIdPortrait:
    'portrait of a man, studio light\nNegative prompt: cartoon\n' +
    'Steps: 30, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 7, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, ' +
    'ControlNet 0: "Module: ip-adapter_face_id, Model: ip-adapter-faceid-portrait_sd15 [b2609049], Weight: 1.0, Resize Mode: Crop and Resize, Processor Res: 512, Guidance Start: 0.0, Guidance End: 1.0, Pixel Perfect: False, Control Mode: Balanced", Version: v1.9.4',
  sdxl:
    'cinematic photo of an astronaut, 35mm <lora:film_grain_xl:0.8>\nNegative prompt: drawing, painting\n' +
    'Steps: 30, Sampler: DPM++ 2M, Schedule type: Automatic, CFG scale: 5, Seed: 123, Size: 832x1216, Model hash: 31e35c80fc, Model: sd_xl_base_1.0, VAE hash: 235745af8d, VAE: sdxl_vae.safetensors, ' +
    'Lora hashes: "film_grain_xl: 4e6a1b2c3d4e", Version: v1.9.4',
  hiresAnime:
    'masterpiece, 1girl, (smile:1.1)\nNegative prompt: (worst quality:1.4), easynegative\n' +
    'Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 3405691582, Size: 512x768, Model hash: 7f96a1a9ca, Model: anything-v5, Denoising strength: 0.5, Clip skip: 2, ENSD: 31337, Hires upscale: 2, Hires upscaler: Latent, Version: v1.6.0',
};

test('A1111 infotexts with sd-webui-controlnet FaceID units read into our FaceID settings', () => {
  const plus = recallInfotext(A1111_SAMPLES.controlNetFaceIdPlusV2);
  assert.deepEqual(plus.faceid, { adapterName: 'ip-adapter-faceid-plusv2_sd15', variant: 'faceid-plusv2', faceWeight: 0.85, loraWeight: 0.65 });
  assert.equal(plus.params.prompt, 'photo of a woman in a garden, golden hour', 'the FaceID LoRA tag became the FaceID LoRA weight');
  assert.equal(plus.params.sampler, 'DPM++ 2M Karras');
  assert.deepEqual(plus.model, { name: 'realisticVisionV51_v51VAE', hash: '15012c538f' });
  assert.deepEqual(plus.loras, []);
  assert.deepEqual(plus.unsupported, []);

  const portrait = recallInfotext(A1111_SAMPLES.controlNetFaceIdPortrait);
  assert.deepEqual(portrait.faceid, { adapterName: 'ip-adapter-faceid-portrait_sd15', variant: 'faceid-portrait', faceWeight: 1 });
  assert.equal(portrait.params.sampler, 'Euler a');
});

test('A1111 SDXL and pre-1.9 infotexts: sizes, samplers, LoRA tags with hashes; what we cannot use is named', () => {
  const sdxl = recallInfotext(A1111_SAMPLES.sdxl);
  assert.deepEqual([sdxl.params.width, sdxl.params.height, sdxl.params.sampler, sdxl.params.cfg], [832, 1216, 'DPM++ 2M Karras', 5]);
  assert.equal(sdxl.params.prompt, 'cinematic photo of an astronaut, 35mm <lora:film_grain_xl:0.8>', 'LoRA tags stay in the prompt, where they apply');
  assert.deepEqual(sdxl.loras, [{ name: 'film_grain_xl', weight: 0.8, hash: '4e6a1b2c3d4e' }]);
  // The VAE is recalled by name (to find among the studio's files); its hash is A1111's and not needed to find it.
  assert.equal(sdxl.vaeName, A1111_SAMPLES.sdxl.match(/VAE: ([^,\n]+)/u)?.[1]);
  assert.deepEqual(sdxl.unsupported, []);

  const old = recallInfotext(A1111_SAMPLES.hiresAnime);
  assert.deepEqual([old.params.sampler, old.params.clipSkip], ['DPM++ 2M Karras', 2]);
  // A txt2img infotext's Denoising strength is its hires fix's second pass, not an img2img strength.
  assert.deepEqual([old.params.hires, old.denoisingStrength], [{ scale: 2, steps: 0, denoise: 0.5, upscaler: 'Latent' }, undefined]);
  assert.equal(old.params.negativePrompt, '(worst quality:1.4), easynegative');
  assert.deepEqual(old.unsupported, ['ENSD']);
  assert.equal(old.faceid, undefined);
});

test('GPU noise and unknown samplers are reported, not silently taken', () => {
  const recalled = recallInfotext('a cat\nSteps: 20, Sampler: Heun, CFG scale: 7, Seed: 1, Size: 512x512, RNG: GPU');
  assert.deepEqual(recalled.unsupported, ['Sampler: Heun', 'RNG: GPU (this studio makes CPU noise, so the image will differ)']);
});
