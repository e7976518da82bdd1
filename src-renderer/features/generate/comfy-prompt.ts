// A ComfyUI picture's API-format `prompt` graph read into our settings: KSampler (seed, steps, CFG, sampler and
// schedule, denoise), its text encoders, the latent size, the checkpoint, CLIPSetLastLayer (clip skip), LoraLoader
// nodes (as `<lora:…>` tags, how the studio applies LoRAs) and ComfyUI_IPAdapter_plus's FaceID nodes. Nodes of
// other kinds are named for the user as not used.
import { COMFY_FACEID_PRESETS, samplerFromComfy } from '../../../src-preload/contract/comfy-names.ts';
import type { FaceIdVariant, GenerationParamsInput } from '../../../src-preload/contract/generation.ts';
import type { RecalledFaceId, RecalledLora, RecalledSettings } from '../../../src-preload/contract/infotext.ts';
import { fileStem } from '../../../src-preload/contract/model-names.ts';

export type ComfyNode = { class_type?: string; inputs?: Record<string, unknown> };

/** Node kinds whose settings are read, or that carry none the studio needs (decode, save, image loading). */
const UNDERSTOOD = new Set([
  'KSampler', 'KSamplerAdvanced', 'CLIPTextEncode', 'EmptyLatentImage', 'CheckpointLoaderSimple', 'CLIPSetLastLayer', 'LoraLoader',
  'IPAdapterUnifiedLoaderFaceID', 'IPAdapterFaceID', 'VAEDecode', 'VAEEncode', 'SaveImage', 'PreviewImage', 'LoadImage', 'ImageToMask', 'SetLatentNoiseMask',
]);

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function linked(nodes: Record<string, ComfyNode>, link: unknown): ComfyNode | undefined {
  return Array.isArray(link) && typeof link[0] === 'string' ? nodes[link[0]] : undefined;
}

function faceIdOf(loader: ComfyNode | undefined, apply: ComfyNode | undefined): RecalledFaceId | undefined {
  if (loader === undefined && apply === undefined) return undefined;
  const preset = str(loader?.inputs?.preset) ?? '';
  const variant = (Object.entries(COMFY_FACEID_PRESETS) as [FaceIdVariant, string][]).find(([, name]) => name === preset)?.[0];
  const faceWeight = num(apply?.inputs?.weight);
  const structure = num(apply?.inputs?.weight_faceidv2);
  const loraWeight = num(loader?.inputs?.lora_strength);
  const combine = str(apply?.inputs?.combine_embeds);
  return {
    adapterName: preset === '' ? 'IPAdapter FaceID' : preset,
    ...(variant === undefined ? {} : { variant }),
    ...(faceWeight === undefined ? {} : { faceWeight }),
    ...(structure === undefined ? {} : { structure }),
    ...(loraWeight === undefined ? {} : { loraWeight }),
    ...(combine === 'concat' ? { combine: 'concatenate' as const } : combine === 'average' ? { combine: 'average' as const } : {}),
  };
}

export function recallComfyPrompt(nodes: Record<string, ComfyNode>): RecalledSettings | undefined {
  const all = Object.values(nodes);
  const sampler = all.find((node) => node.class_type === 'KSampler' || node.class_type === 'KSamplerAdvanced');
  if (sampler?.inputs === undefined) return undefined;
  const inputs = sampler.inputs;
  const of = (type: string) => all.filter((node) => node.class_type === type);
  const unsupported = [...new Set(all.map((n) => n.class_type ?? '?').filter((type) => !UNDERSTOOD.has(type)))].map((type) => `ComfyUI node ${type}`);

  const loras: RecalledLora[] = of('LoraLoader').flatMap((node) => {
    const name = str(node.inputs?.lora_name);
    return name === undefined ? [] : [{ name: fileStem(name), weight: num(node.inputs?.strength_model) ?? 1 }];
  });
  const text = (link: unknown) => str(linked(nodes, link)?.inputs?.text);
  const prompt = text(inputs.positive);
  const negative = text(inputs.negative);
  const params: Partial<GenerationParamsInput> = {};
  if (prompt !== undefined) params.prompt = [prompt, ...loras.map((l) => `<lora:${l.name}:${l.weight}>`)].filter((part) => part !== '').join(' ');
  if (negative !== undefined) params.negativePrompt = negative;
  const seed = num(inputs.seed ?? inputs.noise_seed);
  if (seed !== undefined) params.seed = seed;
  const steps = num(inputs.steps);
  if (steps !== undefined) params.steps = steps;
  const cfg = num(inputs.cfg);
  if (cfg !== undefined) params.cfg = cfg;
  const samplerName = str(inputs.sampler_name) ?? '';
  const ours = samplerFromComfy(samplerName, str(inputs.scheduler) ?? 'normal');
  if (ours !== undefined) params.sampler = ours;
  else if (samplerName !== '') unsupported.push(`sampler ${samplerName} (${str(inputs.scheduler) ?? 'normal'})`);
  const latent = linked(nodes, inputs.latent_image)?.inputs;
  const width = num(latent?.width);
  const height = num(latent?.height);
  if (width !== undefined) params.width = width;
  if (height !== undefined) params.height = height;
  const stop = num(of('CLIPSetLastLayer')[0]?.inputs?.stop_at_clip_layer);
  params.clipSkip = stop === undefined ? 1 : -stop;

  const checkpoint = str(of('CheckpointLoaderSimple')[0]?.inputs?.ckpt_name);
  const faceid = faceIdOf(of('IPAdapterUnifiedLoaderFaceID')[0], of('IPAdapterFaceID')[0]);
  const denoise = num(inputs.denoise);
  return {
    params,
    ...(checkpoint === undefined ? {} : { model: { name: fileStem(checkpoint) } }),
    loras,
    ...(faceid === undefined ? {} : { faceid }),
    control: [],
    ...(denoise !== undefined && denoise < 1 ? { denoisingStrength: denoise } : {}),
    unsupported,
  };
}
