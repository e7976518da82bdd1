// Generation parameters inside a PNG someone drops on Generate: A1111 and this studio write a `parameters` text
// chunk; ComfyUI writes its node graph as JSON in `prompt`.
import { SAMPLERS, type GenerationParamsInput, type Sampler } from '../../../src-preload/contract/generation.ts';
import { recallInfotext, type RecalledSettings } from '../../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';

/** What a picture says, with models, LoRAs and the FaceID adapter still by name (the form resolves them). */
export interface ImportedParameters extends RecalledSettings {
  source: 'A1111' | 'ComfyUI';
}

export type ImportResult = { ok: true; value: ImportedParameters } | { ok: false; message: string };

const COMFY_SAMPLERS: Record<string, Sampler> = { euler: 'Euler', euler_ancestral: 'Euler a', ddim: 'DDIM', dpmpp_2m: 'DPM++ 2M', lcm: 'LCM' };

type ComfyNode = { class_type?: string; inputs?: Record<string, unknown> };

function comfyText(nodes: Record<string, ComfyNode>, link: unknown): string | undefined {
  if (!Array.isArray(link) || typeof link[0] !== 'string') return undefined;
  const text = nodes[link[0]]?.inputs?.text;
  return typeof text === 'string' ? text : undefined;
}

function fromComfyPrompt(json: string): ImportResult {
  let nodes: Record<string, ComfyNode>;
  try {
    nodes = JSON.parse(json) as Record<string, ComfyNode>;
  } catch {
    return { ok: false, message: 'The picture has ComfyUI data that is not valid JSON.' };
  }
  const sampler = Object.values(nodes).find((node) => node.class_type === 'KSampler' || node.class_type === 'KSamplerAdvanced');
  if (sampler?.inputs === undefined) return { ok: false, message: 'The picture has a ComfyUI workflow without a KSampler node, so there are no settings to load.' };
  const inputs = sampler.inputs;
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const latent = Array.isArray(inputs.latent_image) && typeof inputs.latent_image[0] === 'string' ? nodes[inputs.latent_image[0]]?.inputs : undefined;
  const samplerName = typeof inputs.sampler_name === 'string' ? inputs.sampler_name : '';
  const base = COMFY_SAMPLERS[samplerName];
  const ours = base === 'DPM++ 2M' && inputs.scheduler === 'karras' ? 'DPM++ 2M Karras' : base;
  const params: Partial<GenerationParamsInput> = {};
  const prompt = comfyText(nodes, inputs.positive);
  const negative = comfyText(nodes, inputs.negative);
  if (prompt !== undefined) params.prompt = prompt;
  if (negative !== undefined) params.negativePrompt = negative;
  const seed = num(inputs.seed ?? inputs.noise_seed);
  if (seed !== undefined) params.seed = seed;
  const steps = num(inputs.steps);
  if (steps !== undefined) params.steps = steps;
  const cfg = num(inputs.cfg);
  if (cfg !== undefined) params.cfg = cfg;
  if (ours !== undefined && SAMPLERS.includes(ours)) params.sampler = ours;
  const width = num(latent?.width);
  const height = num(latent?.height);
  if (width !== undefined) params.width = width;
  if (height !== undefined) params.height = height;
  const denoise = num(inputs.denoise);
  return {
    ok: true,
    value: { source: 'ComfyUI', params, loras: [], ...(denoise !== undefined && denoise < 1 ? { denoisingStrength: denoise } : {}), unsupported: ours === undefined && samplerName !== '' ? [`sampler ${samplerName}`] : [] },
  };
}

export function readImageParameters(bytes: Uint8Array): ImportResult {
  const texts = readPngTexts(bytes);
  if (texts.parameters !== undefined) return { ok: true, value: { source: 'A1111', ...recallInfotext(texts.parameters) } };
  if (texts.prompt !== undefined) return fromComfyPrompt(texts.prompt);
  return { ok: false, message: 'This picture carries no generation settings (no A1111 "parameters" or ComfyUI "prompt" text in the PNG).' };
}
