import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationParamsSchema, type GenerationParams } from '../../src-preload/contract/generation.ts';
import { addPngText } from '../../src-preload/contract/png-text.ts';
import { DEFAULT_FORM, formFromParameters, toParams } from '../../src-renderer/features/generate/generate-form.ts';
import { modelChoices } from '../../src-renderer/features/generate/model-choices.ts';
import { readImageParameters } from '../../src-renderer/features/generate/png-parameters.ts';
import { makePng } from '../../test/helpers/images.ts';
import { comfyWorkflow } from './comfy-workflow.ts';

/**
 * Every node class and input the export may write, as the upstream code declares them (INPUT_TYPES "required"), with
 * the file each comes from: comfyanonymous/ComfyUI (nodes.py; comfy_extras/nodes_mask.py) and
 * cubiq/ComfyUI_IPAdapter_plus IPAdapterPlus.py @ 9d076a3 (2025-02-26). `outputs` counts RETURN_TYPES.
 */
const UPSTREAM: Record<string, { source: string; inputs: string[]; outputs: number }> = {
  CheckpointLoaderSimple: { source: 'ComfyUI nodes.py', inputs: ['ckpt_name'], outputs: 3 },
  CLIPSetLastLayer: { source: 'ComfyUI nodes.py', inputs: ['clip', 'stop_at_clip_layer'], outputs: 1 },
  LoraLoader: { source: 'ComfyUI nodes.py', inputs: ['model', 'clip', 'lora_name', 'strength_model', 'strength_clip'], outputs: 2 },
  CLIPTextEncode: { source: 'ComfyUI nodes.py', inputs: ['text', 'clip'], outputs: 1 },
  EmptyLatentImage: { source: 'ComfyUI nodes.py', inputs: ['width', 'height', 'batch_size'], outputs: 1 },
  KSampler: { source: 'ComfyUI nodes.py', inputs: ['model', 'seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'positive', 'negative', 'latent_image', 'denoise'], outputs: 1 },
  VAEDecode: { source: 'ComfyUI nodes.py', inputs: ['samples', 'vae'], outputs: 1 },
  VAEEncode: { source: 'ComfyUI nodes.py', inputs: ['pixels', 'vae'], outputs: 1 },
  SaveImage: { source: 'ComfyUI nodes.py', inputs: ['images', 'filename_prefix'], outputs: 0 },
  LoadImage: { source: 'ComfyUI nodes.py', inputs: ['image'], outputs: 2 },
  SetLatentNoiseMask: { source: 'ComfyUI nodes.py (comfy_extras/nodes_mask.py in later versions)', inputs: ['samples', 'mask'], outputs: 1 },
  ImageToMask: { source: 'ComfyUI comfy_extras/nodes_mask.py', inputs: ['image', 'channel'], outputs: 1 },
  IPAdapterUnifiedLoaderFaceID: { source: 'ComfyUI_IPAdapter_plus IPAdapterPlus.py', inputs: ['model', 'preset', 'lora_strength', 'provider'], outputs: 2 },
  IPAdapterFaceID: { source: 'ComfyUI_IPAdapter_plus IPAdapterPlus.py', inputs: ['model', 'ipadapter', 'image', 'weight', 'weight_faceidv2', 'weight_type', 'combine_embeds', 'start_at', 'end_at', 'embeds_scaling'], outputs: 2 },
};

/** Choice lists of the same sources: comfy/samplers.py SAMPLER_NAMES (the part we use), SCHEDULER_NAMES; IPAdapterPlus.py. */
const CHOICES: Record<string, readonly string[]> = {
  sampler_name: ['euler', 'euler_ancestral', 'dpmpp_2m', 'lcm', 'ddim'],
  scheduler: ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform'],
  preset: ['FACEID', 'FACEID PLUS - SD1.5 only', 'FACEID PLUS V2', 'FACEID PORTRAIT (style transfer)', 'FACEID PORTRAIT UNNORM - SDXL only (strong)'],
  provider: ['CPU', 'CUDA', 'ROCM', 'DirectML', 'OpenVINO', 'CoreML'],
  weight_type: ['linear', 'ease in', 'ease out', 'ease in-out', 'reverse in-out', 'weak input', 'weak output', 'weak middle', 'strong middle', 'style transfer', 'composition', 'strong style transfer', 'style and composition', 'style transfer precise', 'composition precise'],
  combine_embeds: ['concat', 'add', 'subtract', 'average', 'norm average'],
  embeds_scaling: ['V only', 'K+V', 'K+V w/ C penalty', 'K+mean(V) w/ C penalty'],
  channel: ['red', 'green', 'blue', 'alpha'],
};

const faceIdLoraInpaint: GenerationParams = GenerationParamsSchema.parse({
  model: '/models/checkpoints/realisticVisionV51.safetensors',
  prompt: 'photo of Ada <lora:film grain:0.7>',
  negativePrompt: 'lowres',
  seed: 7,
  steps: 25,
  cfg: 6,
  sampler: 'DPM++ 2M Karras',
  width: 512,
  height: 768,
  clipSkip: 2,
  img2img: { initImage: '/library/generations/ab/init.png', strength: 0.6 },
  inpaint: { maskImage: '/library/masks/cd/mask.png', featherPx: 4 },
  loras: [{ file: '/models/loras/detail.safetensors', strength: 0.4 }],
  faceid: { adapter: '/models/ipadapter/ip-adapter-faceid-plusv2_sd15.bin', characterId: 'c-1', faceWeight: 0.85, structure: 1.3, loraWeight: 0.6, combine: 'concatenate' },
});

test('the export names only nodes, inputs and choices that exist upstream, and every link fits its node', () => {
  for (const params of [faceIdLoraInpaint, GenerationParamsSchema.parse({ model: '/m/sd15.safetensors', prompt: 'a cat', seed: 1, steps: 20, cfg: 7, sampler: 'Euler a', width: 512, height: 512 })]) {
    const { prompt, workflow } = comfyWorkflow(params, { seed: params.seed, variant: 'faceid-plusv2', facePhotos: ['ada.jpg'] });
    for (const [id, node] of Object.entries(prompt)) {
      const upstream = UPSTREAM[node.class_type];
      assert.ok(upstream !== undefined, `node ${id}: ${node.class_type} is not in the upstream list`);
      assert.deepEqual(Object.keys(node.inputs).sort(), [...upstream.inputs].sort(), `${node.class_type} (${upstream.source}) inputs`);
      for (const [name, value] of Object.entries(node.inputs)) {
        if (Array.isArray(value)) {
          const from = prompt[value[0] as string];
          assert.ok(from !== undefined && (value[1] as number) < UPSTREAM[from.class_type]!.outputs, `${node.class_type}.${name} links to an output that exists`);
        } else if (CHOICES[name] !== undefined) {
          assert.ok(CHOICES[name].includes(value as string), `${node.class_type}.${name} = ${String(value)} is one of upstream's choices`);
        }
      }
    }
    assert.equal(workflow.nodes.length, Object.keys(prompt).length);
    for (const [linkId, from, fromSlot, to, toSlot, type] of workflow.links) {
      assert.ok(workflow.nodes[from - 1]!.outputs[fromSlot]!.links.includes(linkId));
      assert.deepEqual([workflow.nodes[to - 1]!.inputs[toSlot]!.link, workflow.nodes[to - 1]!.inputs[toSlot]!.type], [linkId, type]);
    }
  }
});

test('what ComfyUI cannot do the same way is said: PLMS, a diffusers folder, several photos, feathering, other noise', () => {
  const plms = GenerationParamsSchema.parse({ ...faceIdLoraInpaint, model: '/models/sd15-folder', sampler: 'PNDM' });
  const { notes, prompt } = comfyWorkflow(plms, { seed: 7, variant: 'faceid-plusv2', facePhotos: ['a.jpg', 'b.jpg'] });
  assert.equal(notes.length, 5, notes.join('\n'));
  assert.ok(Object.values(prompt).some((n) => n.class_type === 'KSampler' && n.inputs.sampler_name === 'euler'));
});

test('a FaceID + LoRA generation made in Generate, exported, reloads through the drop path as the same settings', async () => {
  const files = [
    { path: '/models/realisticVisionV51.safetensors', name: 'realisticVisionV51.safetensors', kind: 'checkpoint' as const, base: 'sd15' as const, isFullSize: true, sizeBytes: 1, root: '/models' },
    { path: '/models/ip-adapter-faceid-plusv2_sd15.bin', name: 'ip-adapter-faceid-plusv2_sd15.bin', kind: 'ip-adapter' as const, base: 'sd15' as const, isFullSize: true, sizeBytes: 1, root: '/models' },
    { path: '/models/film grain.safetensors', name: 'film grain.safetensors', kind: 'lora' as const, base: 'sd15' as const, isFullSize: true, sizeBytes: 1, root: '/models' },
  ];
  const { checkpoints, adapters, loras } = modelChoices(files);
  // What ComfyUI does not know: our character (its photo is a LoadImage) and the form's own bookkeeping.
  const form = { ...DEFAULT_FORM, prompt: 'photo of Ada, rainy street <lora:film grain:0.7>', negativePrompt: 'lowres', presetId: 'builtin:none', model: files[0]!.path, variant: 'faceid-plusv2' as const, faceWeight: 0.9, structure: 1.4, loraWeight: 0.55, clipSkip: 2, seedMode: 'fixed' as const, seed: 99, sampler: 'DPM++ 2M Karras' as const };
  const params = GenerationParamsSchema.parse(toParams({ ...form, characterId: 'c-1' }, undefined, form.seed, adapters.sd15.get('faceid-plusv2')?.path));
  const exported = comfyWorkflow(params, { seed: form.seed, variant: 'faceid-plusv2', facePhotos: ['ada.jpg'] });
  const dropped = readImageParameters(addPngText(await makePng({ width: 8, height: 8 }), 'prompt', JSON.stringify(exported.prompt)));
  assert.ok(dropped.ok, dropped.ok ? '' : dropped.message);
  assert.equal(dropped.value.source, 'ComfyUI');
  assert.deepEqual(dropped.value.unsupported, []);
  const loaded = formFromParameters(DEFAULT_FORM, dropped.value, { checkpoints, adapters, loras, vaes: [], characterIds: ['c-1'] });
  assert.deepEqual(loaded.unmatched, []);
  assert.deepEqual(loaded.form, form);
});
