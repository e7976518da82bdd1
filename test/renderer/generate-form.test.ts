// The Generate form's logic without a browser: seeds per job, parameters sent, stored forms made valid, imported PNG
// settings (A1111 and ComfyUI), and which model files are offered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatA1111Parameters } from '../../src-preload/contract/a1111-parameters.ts';
import { GenerationParamsSchema } from '../../src-preload/contract/generation.ts';
import { generationInfotext } from '../../src-preload/contract/infotext.ts';
import { addPngText, readPngTexts, setPngText } from '../../src-preload/contract/png-text.ts';
import { BUILTIN_STYLE_PRESETS } from '../../src-preload/contract/presets.ts';
import { exportedPng } from '../../src-renderer/features/gallery/exported-png.ts';
import { fixFaceJob } from '../../src-renderer/features/gallery/fix-face.ts';
import { acceptStoredForm, DEFAULT_FORM, formFromGeneration, formFromParameters, planSeeds, toParams, usageToOffer, withLoraTag } from '../../src-renderer/features/generate/generate-form.ts';
import { modelChoices } from '../../src-renderer/features/generate/model-choices.ts';
import { variantOfFile } from '../../src-preload/contract/model-names.ts';
import { readImageParameters } from '../../src-renderer/features/generate/png-parameters.ts';
import { makePng } from '../helpers/images.ts';

test('seeds: fixed repeats, increment counts on (and wraps), random draws one per job', () => {
  assert.deepEqual(planSeeds({ seedMode: 'fixed', seed: 5, batchCount: 3 }), { seeds: [5, 5, 5], nextSeed: 5 });
  assert.deepEqual(planSeeds({ seedMode: 'increment', seed: 2 ** 32 - 2, batchCount: 3 }), { seeds: [2 ** 32 - 2, 2 ** 32 - 1, 0], nextSeed: 1 });
  let n = 10;
  assert.deepEqual(planSeeds({ seedMode: 'random', seed: 1, batchCount: 2 }, () => n++), { seeds: [10, 11], nextSeed: 11 });
});

test('parameters: the preset wraps the prompt, negatives join, FaceID only with a character and an adapter', () => {
  const watercolor = BUILTIN_STYLE_PRESETS.find((p) => p.id === 'builtin:watercolor')!;
  const form = { ...DEFAULT_FORM, model: '/m/sd.safetensors', prompt: ' Ada reading ', negativePrompt: 'hat', characterId: 'c1', width: 64, height: 64 };
  const params = GenerationParamsSchema.parse(toParams(form, watercolor, 9, '/m/faceid.bin'));
  assert.equal(params.prompt, 'watercolor painting of Ada reading, soft washes, paper texture, loose brush strokes');
  assert.equal(params.negativePrompt, `hat, ${watercolor.negative}`);
  assert.equal(params.seed, 9);
  assert.deepEqual(params.faceid && [params.faceid.adapter, params.faceid.characterId, params.faceid.faceWeight], ['/m/faceid.bin', 'c1', DEFAULT_FORM.faceWeight]);
  assert.equal(toParams({ ...form, characterId: '' }, watercolor, 9, '/m/faceid.bin').faceid, undefined);
  // A mask without a source image is not inpainting.
  assert.equal(toParams({ ...form, maskImage: 'masks/ab/x.png' }, undefined, 1, undefined).inpaint, undefined);
  const inpaint = toParams({ ...form, initImage: 'generations/ab/x.png', maskImage: 'masks/ab/x.png' }, undefined, 1, undefined);
  assert.deepEqual([inpaint.img2img?.initImage, inpaint.inpaint?.maskImage], ['generations/ab/x.png', 'masks/ab/x.png']);
});

test('remix: one job with the seed of the image, whatever batch count and seed mode the form had', () => {
  const params = GenerationParamsSchema.parse({ model: '/m/sd.safetensors', prompt: 'Ada', negativePrompt: '', seed: 101, steps: 4, cfg: 7, sampler: 'Euler a', width: 64, height: 64, batchSize: 1 });
  const generation = { id: 'g1', jobId: 'j1', characterId: null, parentId: null, params, model: params.model, seed: 101, width: 64, height: 64, image: 'generations/ab/g1.png', favorite: false, identityScore: null, ranking: null, createdAt: 0 };
  // The form as the journey leaves it after queueing two images with incrementing seeds.
  const remixed = formFromGeneration({ ...DEFAULT_FORM, batchCount: 2, seedMode: 'increment', seed: 102 }, generation);
  assert.deepEqual([remixed.batchCount, remixed.seedMode, remixed.parentId], [1, 'fixed', 'g1']);
  assert.deepEqual(planSeeds(remixed).seeds, [101]);
});

test('a stored form is repaired field by field; garbage gives undefined', () => {
  assert.equal(acceptStoredForm('nonsense'), undefined);
  const repaired = acceptStoredForm({ prompt: 'kept', steps: 'twelve', sampler: 'Heun', seedMode: 'sometimes', cfg: Number.NaN, width: 768 });
  assert.equal(repaired?.prompt, 'kept');
  assert.equal(repaired?.steps, DEFAULT_FORM.steps);
  assert.equal(repaired?.sampler, DEFAULT_FORM.sampler);
  assert.equal(repaired?.seedMode, DEFAULT_FORM.seedMode);
  assert.equal(repaired?.cfg, DEFAULT_FORM.cfg);
  assert.equal(repaired?.width, 768);
});

test('PNG settings: A1111 parameters, ComfyUI prompt graph, and a plain PNG refused with a reason', async () => {
  const png = await makePng({ width: 8, height: 8 });
  const a1111 = readImageParameters(addPngText(png, 'parameters', formatA1111Parameters({ prompt: 'a cat', negativePrompt: '', steps: 12, sampler: 'DPM++ 2M Karras', cfg: 6, seed: 3, width: 512, height: 768 })));
  assert.ok(a1111.ok);
  assert.deepEqual([a1111.value.source, a1111.value.params.prompt, a1111.value.params.sampler, a1111.value.params.height], ['A1111', 'a cat', 'DPM++ 2M Karras', 768]);
  const comfyGraph = {
    '3': { class_type: 'KSampler', inputs: { seed: 42, steps: 20, cfg: 8, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: 1, positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 640, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a dog on a hill' } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry' } },
  };
  const comfy = readImageParameters(addPngText(png, 'prompt', JSON.stringify(comfyGraph)));
  assert.ok(comfy.ok);
  assert.deepEqual(comfy.value.params, { prompt: 'a dog on a hill', negativePrompt: 'blurry', seed: 42, steps: 20, cfg: 8, sampler: 'DPM++ 2M Karras', width: 512, height: 640, clipSkip: 1 });
  const broken = readImageParameters(addPngText(png, 'prompt', '{not json'));
  assert.equal(broken.ok, false);
  const plain = readImageParameters(png);
  assert.ok(!plain.ok && plain.message.includes('no generation settings'));
});

test('model files: checkpoints and FaceID adapters by variant, LoRAs and face models left out', () => {
  assert.equal(variantOfFile('ip-adapter-faceid-plusv2_sd15.bin'), 'faceid-plusv2');
  assert.equal(variantOfFile('ip-adapter-faceid-plus_sd15.bin'), 'faceid-plus');
  assert.equal(variantOfFile('ip-adapter-faceid-portrait_sd15.bin'), 'faceid-portrait');
  assert.equal(variantOfFile('ip-adapter-faceid_sd15.bin'), 'faceid');
  assert.equal(variantOfFile('sd15.safetensors'), undefined);
  const file = (name: string) => ({ path: `/m/${name}`, name, kind: 'unidentified' as const, base: null, isFullSize: null, sizeBytes: 1, root: '/m' });
  const choices = modelChoices(['sd15-tiny.safetensors', 'ip-adapter-faceid_sd15_lora.safetensors', 'ip-adapter-faceid-plusv2_sd15.bin', 'det_10g.onnx', 'my-style-lora.safetensors'].map(file));
  assert.deepEqual(choices.checkpoints.map((m) => m.name), ['sd15-tiny.safetensors']);
  assert.deepEqual([...choices.adapters.sd15.keys()], ['faceid-plusv2']);
});

test('our PNG → drop → the same settings: model, FaceID variant, character and weights, clip skip, LoRA tags, VAE', async () => {
  const model = (name: string, kind: 'checkpoint' | 'ip-adapter' | 'lora' | 'vae') => ({ path: `/models/${name}`, name, kind, base: 'sd15' as const, isFullSize: true, sizeBytes: 1, root: '/models' });
  const files = [model('realisticVisionV51.safetensors', 'checkpoint'), model('ip-adapter-faceid-plusv2_sd15.bin', 'ip-adapter'), model('film grain.safetensors', 'lora'), model('vae-ft-mse-840000-ema-pruned.safetensors', 'vae')];
  const { checkpoints, adapters, loras, vaes } = modelChoices(files);
  const form = {
    ...DEFAULT_FORM,
    characterId: 'c-1',
    prompt: 'photo of Ada, rainy street <lora:film grain:0.7>',
    negativePrompt: 'lowres',
    presetId: 'builtin:none',
    model: '/models/realisticVisionV51.safetensors',
    variant: 'faceid-plusv2' as const,
    faceWeight: 0.9,
    structure: 1.4,
    loraWeight: 0.55,
    clipSkip: 2,
    seedMode: 'fixed' as const,
    seed: 31337,
    sampler: 'DPM++ 2M' as const,
    vae: '/models/vae-ft-mse-840000-ema-pruned.safetensors',
    draftDecode: true,
  };
  const params = GenerationParamsSchema.parse(toParams(form, undefined, form.seed, adapters.sd15.get('faceid-plusv2')?.path));
  const png = setPngText(await makePng({ width: 8, height: 8 }), 'parameters', generationInfotext(params, { seed: form.seed, modelHash: '0123456789' }));
  const dropped = readImageParameters(png);
  assert.ok(dropped.ok);
  const loaded = formFromParameters(DEFAULT_FORM, dropped.value, { checkpoints, adapters, loras, vaes, characterIds: ['c-1'] });
  assert.deepEqual(loaded.unmatched, []);
  assert.deepEqual(loaded.form, { ...form, strength: DEFAULT_FORM.strength });
  assert.deepEqual(GenerationParamsSchema.parse(toParams(loaded.form, undefined, loaded.form.seed, adapters.sd15.get(loaded.form.variant)?.path)), params);

  const renamed = model('rv51-renamed.safetensors', 'checkpoint');
  const byHash = formFromParameters(DEFAULT_FORM, dropped.value, { checkpoints: [...checkpoints, renamed], adapters, loras, vaes, characterIds: ['c-1'], checkpointByHash: renamed.path });
  assert.equal(byHash.form.model, renamed.path, 'the Model hash wins over the name');

  const elsewhere = formFromParameters(DEFAULT_FORM, dropped.value, { checkpoints: [], adapters: { sd15: new Map(), sdxl: new Map() }, loras: [], vaes: [], characterIds: [] });
  assert.deepEqual(elsewhere.unmatched, ['model realisticVisionV51', 'LoRA film grain', 'FaceID adapter ip-adapter-faceid-plusv2_sd15', 'character (not in this library)', 'VAE vae-ft-mse-840000-ema-pruned']);
});

test('export keeps the one parameters chunk the engine wrote, and writes one into a picture without', async () => {
  const generation = {
    id: 'g1', jobId: null, characterId: null, parentId: null, model: 'sd15', seed: 9, width: 64, height: 64, image: 'generations/g1.png', favorite: false, identityScore: null, ranking: null, createdAt: 1_767_225_600_000,
    params: GenerationParamsSchema.parse({ model: '/m/sd15.safetensors', prompt: 'a cat', seed: 9, steps: 20, cfg: 7, sampler: 'Euler', width: 64, height: 64 }),
  };
  const engineWritten = addPngText(await makePng({ width: 8, height: 8 }), 'parameters', 'a cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 9, Size: 8x8, Model hash: 0123456789');
  const countChunks = (png: Uint8Array) => Buffer.from(png).toString('latin1').split('tEXtparameters').length - 1;
  assert.deepEqual(exportedPng(generation, engineWritten), engineWritten);
  const written = exportedPng(generation, await makePng({ width: 8, height: 8 }));
  assert.equal(countChunks(written), 1);
  assert.match(readPngTexts(written).parameters ?? '', /^a cat\nSteps: 20, Sampler: Euler, Schedule type: Automatic, CFG scale: 7, Seed: 9, Size: 64x64, Model: sd15, RNG: CPU/u);
});

test('Add LoRA appends <lora:stem:1> to the prompt, spaced', () => {
  const lora = { path: '/models/Lora/film grain.safetensors', name: 'film grain.safetensors', kind: 'lora' as const, base: 'sd15' as const, isFullSize: true, sizeBytes: 1, root: '/models' };
  assert.equal(withLoraTag('a cat', lora), 'a cat <lora:film grain:1>');
  assert.equal(withLoraTag('', lora), '<lora:film grain:1>');
  assert.equal(withLoraTag('a cat\n', lora), 'a cat\n<lora:film grain:1>');
});

test('the hires fix, face detail and best-of-N: sent when on; the identity passes only with a character; remix brings them back', () => {
  const form = {
    ...DEFAULT_FORM, model: '/m/sd.safetensors', prompt: 'Ada', width: 512, height: 512, characterId: 'c1',
    hires: true, hiresScale: 2, hiresSteps: 10, hiresDenoise: 0.45, hiresUpscaler: 'Latent (bicubic)' as const,
    faceDetail: true, faceDetailStrength: 0.35, faceDetailPrompt: 'detailed eyes', faceDetailFaces: 'all' as const,
    bestOf: true, bestOfCount: 6, bestOfKeep: 2, keepRejected: true,
  };
  const params = GenerationParamsSchema.parse(toParams(form, undefined, 3, '/m/faceid.bin'));
  assert.deepEqual(params.hires, { scale: 2, steps: 10, denoise: 0.45, upscaler: 'Latent (bicubic)' });
  assert.deepEqual([params.faceDetail?.strength, params.faceDetail?.prompt, params.faceDetail?.faces, params.faceDetail?.identityCheck], [0.35, 'detailed eyes', 'all', true]);
  assert.deepEqual(params.bestOf, { count: 6, keep: 2, keepRejected: true });
  const noCharacter = GenerationParamsSchema.parse(toParams({ ...form, characterId: '' }, undefined, 3, '/m/faceid.bin'));
  assert.deepEqual([noCharacter.hires?.scale, noCharacter.faceDetail, noCharacter.bestOf], [2, undefined, undefined]);
  const img2img = GenerationParamsSchema.parse(toParams({ ...form, initImage: 'generations/ab/x.png' }, undefined, 3, '/m/faceid.bin'));
  assert.equal(img2img.hires, undefined, 'the hires fix is text-to-image only');

  const generation = { id: 'g1', jobId: 'j1', characterId: 'c1', parentId: null, params: { ...params, bestOf: undefined }, model: params.model, seed: 3, width: 1024, height: 1024, image: 'generations/g1/g1.png', favorite: false, identityScore: 0.7, ranking: { rank: 1, of: 6, kept: true }, createdAt: 0 };
  const remixed = formFromGeneration(DEFAULT_FORM, generation);
  assert.deepEqual([remixed.hires, remixed.hiresScale, remixed.faceDetail, remixed.faceDetailFaces, remixed.bestOf], [true, 2, true, 'all', false]);
  assert.deepEqual(formFromGeneration(DEFAULT_FORM, { ...generation, params: { ...generation.params, hires: undefined, faceDetail: undefined } }).hires, false);

  // "Fix face": the picture itself as the source, its settings without the passes that made it, the picture as parent.
  const job = fixFaceJob(generation)!;
  const fix = GenerationParamsSchema.parse(job.params);
  assert.deepEqual([fix.faceDetail?.sourceImage, fix.faceDetail?.strength, fix.hires, fix.seed, job.parentId, job.characterId], ['generations/g1/g1.png', 0.35, undefined, 3, 'g1', 'c1']);
  assert.equal(fixFaceJob({ ...generation, characterId: null, params: { ...generation.params, faceid: undefined } }), undefined, 'no character, nothing to fix with');

  const stored = acceptStoredForm({ ...form, hiresUpscaler: 'ESRGAN', faceDetailFaces: 'some' });
  assert.deepEqual([stored?.hiresUpscaler, stored?.faceDetailFaces, stored?.bestOfCount], ['Latent', 'largest', 6]);
});

test('a prompt tagging a catalog LoRA made for other settings (LCM-LoRA) offers them until the form fits', () => {
  const catalog = [
    { title: 'LCM-LoRA (SD1.5)', fileName: 'lcm-lora-sdv1-5.safetensors', usage: { sampler: 'LCM' as const, steps: { min: 4, max: 8, default: 6 }, cfg: { min: 1, max: 2, default: 1.5 } } },
    { title: 'FaceID LoRA', fileName: 'ip-adapter-faceid_sd15_lora.safetensors', usage: null },
  ];
  const form = { ...DEFAULT_FORM, prompt: 'a portrait <lora:lcm-lora-sdv1-5:1>' };
  const offer = usageToOffer(form, catalog);
  assert.deepEqual(offer, { title: 'LCM-LoRA (SD1.5)', sampler: 'LCM', steps: 6, cfg: 1.5, text: 'LCM sampler, 4–8 steps, CFG 1–2' });
  assert.equal(usageToOffer({ ...form, sampler: offer!.sampler, steps: offer!.steps, cfg: offer!.cfg }, catalog), undefined, 'applied: nothing more to offer');
  assert.equal(usageToOffer({ ...form, sampler: 'LCM', steps: 12, cfg: 1.5 }, catalog)?.steps, 6, '12 steps is outside 4–8');
  assert.equal(usageToOffer({ ...DEFAULT_FORM, prompt: 'a portrait <lora:ip-adapter-faceid_sd15_lora:1>' }, catalog), undefined, 'a LoRA without settings');
  assert.equal(usageToOffer({ ...DEFAULT_FORM, prompt: 'no tags' }, catalog), undefined);
});
