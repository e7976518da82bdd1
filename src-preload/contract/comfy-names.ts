// ComfyUI's names for the studio's settings, for the workflow export and for reading ComfyUI pictures back:
// KSampler's sampler_name / scheduler (comfy/samplers.py KSAMPLER_NAMES, SAMPLER_NAMES, SCHEDULER_NAMES) and
// IPAdapterUnifiedLoaderFaceID's presets (cubiq/ComfyUI_IPAdapter_plus IPAdapterPlus.py).
import type { FaceIdVariant, Sampler } from './generation.ts';

/** Our sampler → KSampler's sampler_name and scheduler; ComfyUI has no PLMS/PNDM sampler. */
export const COMFY_SAMPLERS: Readonly<Record<Sampler, { readonly sampler: string; readonly scheduler: string } | undefined>> = {
  DDIM: { sampler: 'ddim', scheduler: 'ddim_uniform' },
  Euler: { sampler: 'euler', scheduler: 'normal' },
  'Euler a': { sampler: 'euler_ancestral', scheduler: 'normal' },
  'DPM++ 2M': { sampler: 'dpmpp_2m', scheduler: 'normal' },
  'DPM++ 2M Karras': { sampler: 'dpmpp_2m', scheduler: 'karras' },
  LCM: { sampler: 'lcm', scheduler: 'sgm_uniform' },
  PNDM: undefined,
};

/** KSampler's sampler_name + scheduler → ours: the exact pair first, else the sampler with any schedule but Karras. */
export function samplerFromComfy(sampler: string, scheduler: string): Sampler | undefined {
  const entries = Object.entries(COMFY_SAMPLERS) as [Sampler, { sampler: string; scheduler: string } | undefined][];
  const exact = entries.find(([, c]) => c?.sampler === sampler && c.scheduler === scheduler);
  if (exact !== undefined) return exact[0];
  return entries.find(([, c]) => c?.sampler === sampler && c.scheduler !== 'karras' && scheduler !== 'karras')?.[0];
}

/** IPAdapterUnifiedLoaderFaceID's preset, which picks the adapter file (and its LoRA) by name in ComfyUI's folders. */
export const COMFY_FACEID_PRESETS: Readonly<Record<FaceIdVariant, string>> = {
  faceid: 'FACEID',
  'faceid-plus': 'FACEID PLUS - SD1.5 only',
  'faceid-plusv2': 'FACEID PLUS V2',
  'faceid-portrait': 'FACEID PORTRAIT (style transfer)',
};
