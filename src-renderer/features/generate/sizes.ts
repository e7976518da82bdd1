// Image sizes per base: the presets offered, the default, and the range a typed size is kept in. SD1.5 is trained at
// 512²; SDXL on buckets of about one megapixel (the SDXL paper's aspect-ratio buckets), so those are its presets.
import type { SizeConditioning } from '../../../src-preload/contract/generation.ts';
import type { ModelBase } from '../../../src-preload/contract/models.ts';

export interface SizePreset {
  label: string;
  width: number;
  height: number;
}

const SD15_SIZE_PRESETS: readonly SizePreset[] = [
  { label: 'Square 1:1', width: 512, height: 512 },
  { label: 'Portrait 2:3', width: 512, height: 768 },
  { label: 'Portrait 3:4', width: 576, height: 768 },
  { label: 'Portrait 5:7', width: 640, height: 896 },
  { label: 'Landscape 3:2', width: 768, height: 512 },
  { label: 'Landscape 16:9', width: 912, height: 512 },
  { label: 'Tiny test', width: 64, height: 64 },
];

const SDXL_SIZE_PRESETS: readonly SizePreset[] = [
  { label: 'Square 1:1', width: 1024, height: 1024 },
  { label: 'Landscape 9:7', width: 1152, height: 896 },
  { label: 'Portrait 7:9', width: 896, height: 1152 },
  { label: 'Landscape 3:2', width: 1216, height: 832 },
  { label: 'Portrait 2:3', width: 832, height: 1216 },
  { label: 'Landscape 7:4', width: 1344, height: 768 },
  { label: 'Portrait 4:7', width: 768, height: 1344 },
  { label: 'Wide 12:5', width: 1536, height: 640 },
  { label: 'Tall 5:12', width: 640, height: 1536 },
];

export function sizePresets(base: ModelBase): readonly SizePreset[] {
  return base === 'sdxl' ? SDXL_SIZE_PRESETS : SD15_SIZE_PRESETS;
}

/** The size a checkpoint of this base starts at: SD1.5 a portrait 512×768 (faces), SDXL its trained 1024². */
export function defaultSize(base: ModelBase): { width: number; height: number } {
  return base === 'sdxl' ? { width: 1024, height: 1024 } : { width: 512, height: 768 };
}

/**
 * The range a typed side is kept in. A real SDXL falls apart below 512 px; a tiny test model (not full size) has no
 * such floor, and the engine takes any multiple of 8 from 64 to 2048.
 */
export function sideLimits(base: ModelBase, isFullSize: boolean | null): { min: number; max: number } {
  return { min: base === 'sdxl' && isFullSize !== false ? 512 : 64, max: 2048 };
}

/** A typed side as the engine takes it: the nearest multiple of 8 within the limits. */
export function snapSide(value: number, limits: { min: number; max: number }): number {
  return Math.min(limits.max, Math.max(limits.min, Math.round(value / 8) * 8));
}

export const SIZE_CONDITIONING_KEYS = ['originalWidth', 'originalHeight', 'cropTop', 'cropLeft', 'targetWidth', 'targetHeight'] as const;
export type SizeConditioningKey = (typeof SIZE_CONDITIONING_KEYS)[number];

/** What SDXL is told when a value is left out (diffusers' defaults): the image's own size, crop (0, 0). */
export function conditioningDefault(key: SizeConditioningKey, size: { width: number; height: number }): number {
  if (key === 'cropTop' || key === 'cropLeft') return 0;
  return key.endsWith('Width') ? size.width : size.height;
}

/** The size conditioning to send: only the values that differ from their defaults; undefined when none does. */
export function changedConditioning(conditioning: SizeConditioning, size: { width: number; height: number }): SizeConditioning | undefined {
  const changed: SizeConditioning = {};
  for (const key of SIZE_CONDITIONING_KEYS) {
    const value = conditioning[key];
    if (value !== undefined && value !== conditioningDefault(key, size)) changed[key] = value;
  }
  return Object.keys(changed).length === 0 ? undefined : changed;
}
