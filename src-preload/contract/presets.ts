// Style presets: a prompt template, a negative prompt and suggested FaceID weights. The built-in ones live here
// (the same for every library); user presets are stored in the library and listed after them.
import { z } from 'zod';
import { IdSchema, TimestampSchema } from './characters.ts';

/** Where the user's own prompt goes in a template. */
export const PROMPT_PLACEHOLDER = '{prompt}';

export const StylePresetSchema = z.object({
  /** `builtin:<slug>` for the studio's presets, a UUID for the user's. */
  id: IdSchema,
  name: z.string().trim().min(1, 'a preset needs a name').max(60, 'a preset name must be at most 60 characters'),
  /** Must contain {prompt}; the user's prompt is put there. */
  template: z.string().max(2000).refine((t) => t.includes(PROMPT_PLACEHOLDER), { message: `the template must contain ${PROMPT_PLACEHOLDER}, where your prompt goes` }),
  negative: z.string().max(2000),
  faceWeight: z.number().finite().min(0).max(1.5),
  structure: z.number().finite().min(0).max(3),
  builtin: z.boolean(),
  updatedAt: TimestampSchema,
});
export type StylePreset = z.infer<typeof StylePresetSchema>;

const builtin = (slug: string, name: string, template: string, negative: string, faceWeight: number, structure: number): StylePreset => ({
  id: `builtin:${slug}`,
  name,
  template,
  negative,
  faceWeight,
  structure,
  builtin: true,
  updatedAt: 0,
});

const PHOTO_NEGATIVE = 'blurry, lowres, deformed, bad anatomy, extra fingers, watermark, text';
const ART_NEGATIVE = 'photo, photorealistic, blurry, lowres, deformed, watermark, text';

export const BUILTIN_STYLE_PRESETS: readonly StylePreset[] = [
  builtin('none', 'None', '{prompt}', '', 0.8, 1),
  builtin('photo', 'Photo', 'photo of {prompt}, 50mm, natural light, sharp focus, detailed skin', PHOTO_NEGATIVE, 0.85, 1),
  builtin('cinematic', 'Cinematic', 'cinematic film still of {prompt}, shallow depth of field, anamorphic, film grain, moody lighting', PHOTO_NEGATIVE, 0.8, 1),
  builtin('watercolor', 'Watercolor', 'watercolor painting of {prompt}, soft washes, paper texture, loose brush strokes', ART_NEGATIVE, 0.65, 1.5),
  builtin('oil-portrait', 'Oil portrait', 'oil painting portrait of {prompt}, classical, visible brushwork, rich colors, museum lighting', ART_NEGATIVE, 0.7, 1.5),
  builtin('pencil-sketch', 'Pencil sketch', 'pencil sketch of {prompt}, graphite, cross-hatching, monochrome, on paper', `${ART_NEGATIVE}, color`, 0.6, 2),
  builtin('anime', 'Anime', 'anime illustration of {prompt}, cel shading, clean line art, vibrant colors', ART_NEGATIVE, 0.55, 2),
  builtin('3d-render', '3D render', '3d render of {prompt}, octane, subsurface scattering, studio lighting, stylized character', ART_NEGATIVE, 0.6, 1.5),
  builtin('comic', 'Comic', 'comic book panel of {prompt}, bold ink outlines, halftone shading, dynamic', ART_NEGATIVE, 0.6, 2),
  builtin('pixel-art', 'Pixel art', 'pixel art of {prompt}, 16-bit, limited palette, crisp pixels', ART_NEGATIVE, 0.5, 2),
  builtin('fantasy', 'Fantasy art', 'fantasy art of {prompt}, epic, intricate detail, dramatic light, digital painting', ART_NEGATIVE, 0.65, 1.5),
  builtin('vintage', 'Vintage photo', 'vintage 1970s photograph of {prompt}, faded colors, film grain, soft focus', PHOTO_NEGATIVE, 0.8, 1),
];

/** The prompt sent to the engine: the user's text put into the template's {prompt}. */
export function applyStyleTemplate(template: string, prompt: string): string {
  return template.split(PROMPT_PLACEHOLDER).join(prompt.trim());
}

/** The negative sent to the engine: the user's negative and the preset's, comma-joined. */
export function combineNegatives(userNegative: string, presetNegative: string): string {
  return [userNegative.trim(), presetNegative.trim()].filter((part) => part !== '').join(', ');
}

const PresetInputSchema = StylePresetSchema.pick({ name: true, template: true, negative: true, faceWeight: true, structure: true });

export const presetsMethods = {
  /** Built-in presets first, then the user's by name. */
  list: { request: z.object({}), response: z.object({ presets: z.array(StylePresetSchema) }) },
  /** Creates a user preset (no id) or changes one (its id); a built-in one is saved as a new user preset. */
  save: { request: PresetInputSchema.extend({ id: IdSchema.optional() }), response: StylePresetSchema },
  delete: { request: z.object({ id: IdSchema }), response: z.object({ deleted: z.boolean() }) },
} as const;
