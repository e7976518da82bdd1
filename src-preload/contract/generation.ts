// What a generation asks for, shared by the CLI, the engine worker, the library and the renderer.
// Limits here are the ones a user meets as clear errors before any work starts.
import { z } from 'zod';

/** A1111 display names; the engine maps each to one scheduler file. */
export const SAMPLERS = ['DDIM', 'Euler', 'Euler a', 'DPM++ 2M', 'DPM++ 2M Karras', 'LCM', 'PNDM'] as const;
export const SamplerSchema = z.enum(SAMPLERS, { error: (issue) => `unknown sampler ${JSON.stringify(issue.input)}; choose one of ${SAMPLERS.join(', ')}` });
export type Sampler = z.infer<typeof SamplerSchema>;

export const FACEID_VARIANTS = ['faceid', 'faceid-plus', 'faceid-plusv2', 'faceid-portrait'] as const;
export const FaceIdVariantSchema = z.enum(FACEID_VARIANTS);
export type FaceIdVariant = z.infer<typeof FaceIdVariantSchema>;

const sideSchema = (axis: string) =>
  z
    .number()
    .int(`${axis} must be a whole number of pixels`)
    .min(64, `${axis} must be at least 64 px`)
    .max(2048, `${axis} must be at most 2048 px`)
    .refine((v) => v % 8 === 0, { message: `${axis} must be a multiple of 8 (the VAE works on 8×8 pixel blocks)` });

export const LoraChoiceSchema = z.object({
  file: z.string().min(1),
  strength: z.number().finite().min(-2).max(2),
});
export type LoraChoice = z.infer<typeof LoraChoiceSchema>;

export const FaceIdChoiceSchema = z.object({
  /** The IP-Adapter FaceID file (.bin or .safetensors); its variant is detected from its contents. */
  adapter: z.string().min(1),
  /** Reference photos (paths) — or a character whose stored embedding is used. */
  faces: z.array(z.string().min(1)).max(16).default([]),
  characterId: z.string().optional(),
  faceWeight: z.number().finite().min(0).max(1.5).default(0.8),
  /** PlusV2 `s_scale`: how much the CLIP face structure counts. */
  structure: z.number().finite().min(0).max(3).default(1),
  /** Strength of the variant's paired LoRA, applied automatically. */
  loraWeight: z.number().finite().min(0).max(1).default(0.6),
  /** Several references for non-Portrait variants: average the embeddings, or concatenate the tokens. */
  combine: z.enum(['average', 'concatenate']).default('average'),
});
export type FaceIdChoice = z.infer<typeof FaceIdChoiceSchema>;

const conditioningSide = (what: string) => z.number().int(`${what} must be a whole number of pixels`).min(0, `${what} must not be negative`).max(16_384, `${what} must be at most 16384 px`);

/**
 * SDXL's size conditioning (SD1.5 has none): the original size and crop the model is told the picture had, and the
 * target size. Each value left out is the image's own size, and the crop (0, 0), as diffusers defaults them.
 */
export const SizeConditioningSchema = z.object({
  originalWidth: conditioningSide('original width').optional(),
  originalHeight: conditioningSide('original height').optional(),
  cropTop: conditioningSide('crop top').optional(),
  cropLeft: conditioningSide('crop left').optional(),
  targetWidth: conditioningSide('target width').optional(),
  targetHeight: conditioningSide('target height').optional(),
});
export type SizeConditioning = z.infer<typeof SizeConditioningSchema>;

/** SDXL time ids [orig h, orig w, crop top, crop left, target h, target w] for an image of this size. */
export function sdxlTimeIds(width: number, height: number, conditioning: SizeConditioning = {}): number[] {
  const c = conditioning;
  return [c.originalHeight ?? height, c.originalWidth ?? width, c.cropTop ?? 0, c.cropLeft ?? 0, c.targetHeight ?? height, c.targetWidth ?? width];
}

/** A1111's hires-fix upscalers we run: its latent modes (torch F.interpolate, no antialias) and PIL-style Lanczos on the image. */
export const HIRES_UPSCALERS = ['Latent', 'Latent (bicubic)', 'Latent (nearest)', 'Latent (nearest-exact)', 'Lanczos'] as const;
export const HiresUpscalerSchema = z.enum(HIRES_UPSCALERS, { error: (issue) => `unknown hires upscaler ${JSON.stringify(issue.input)}; choose one of ${HIRES_UPSCALERS.join(', ')}` });
export type HiresUpscaler = z.infer<typeof HiresUpscalerSchema>;

/** A1111's hires fix: the first pass at width × height, upscaled by `scale`, then img2img at the larger size. */
export const HiresFixSchema = z.object({
  scale: z.number().finite().min(1, 'hires upscale must be at least 1').max(4, 'hires upscale must be at most 4'),
  /** Second-pass steps; 0 = as many as the first pass (A1111's "Hires steps: 0"). */
  steps: z.number().int().min(0).max(150).default(0),
  /** The second pass's denoising strength (A1111's "Denoising strength" on a hires image). */
  denoise: z.number().finite().min(0, 'hires denoise must be between 0 and 1').max(1, 'hires denoise must be between 0 and 1').default(0.7),
  upscaler: HiresUpscalerSchema.default('Latent'),
});
export type HiresFix = z.infer<typeof HiresFixSchema>;

/** The hires fix's output size: A1111's int(side · scale), down to the VAE's 8-pixel blocks. */
export function hiresSize(width: number, height: number, scale: number): { width: number; height: number } {
  const side = (v: number) => Math.floor(Math.trunc(v * scale) / 8) * 8;
  return { width: side(width), height: side(height) };
}

/** Which detected faces the face detail pass repaints: the largest, all, or one by its index in detection order. */
export const FaceChoiceSchema = z.union([z.enum(['largest', 'all']), z.number().int().min(0).max(63)]);
export type FaceChoice = z.infer<typeof FaceChoiceSchema>;

/**
 * The face detail pass (ADetailer-style, with the job's FaceID conditioning): each chosen face is cut out as a padded
 * square, repainted by inpainting img2img at the model's native size and blended back through a feathered ellipse.
 */
export const FaceDetailSchema = z.object({
  faces: FaceChoiceSchema.default('largest'),
  /** Faces whose box is smaller than this on its longer side (px) are left alone. */
  minSize: z.number().int().min(0).max(2048).default(24),
  /** Denoising strength of the repaint. */
  strength: z.number().finite().min(0.05, 'face detail strength must be between 0.05 and 1').max(1, 'face detail strength must be between 0.05 and 1').default(0.4),
  /** Added to the prompt for the face (e.g. "detailed eyes"). */
  prompt: z.string().max(2000).default(''),
  /** The repaint's own seed; default the image's seed. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Context around the face: the square's side is the box's longer side × (1 + 2 · padding). */
  padding: z.number().finite().min(0).max(3).default(0.6),
  /** Width of the mask's soft edge, as a share of the ellipse's radius. */
  feather: z.number().finite().min(0).max(1).default(0.3),
  /** Side of the square the face is repainted at; default the model's native size (512 SD1.5, 1024 SDXL). */
  size: sideSchema('face detail size').optional(),
  /** Keep the image before the pass when the pass lowers its identity score (the job runner checks). */
  identityCheck: z.boolean().default(true),
  /** Repaint the faces of this existing image instead of generating one ("Fix face"). */
  sourceImage: z.string().min(1).optional(),
});
export type FaceDetail = z.infer<typeof FaceDetailSchema>;

/** Generate `count` images (seeds seed … seed + count − 1), keep the `keep` most like the character (identity score). */
export const BestOfSchema = z.object({
  count: z.number().int().min(2, 'best-of needs at least 2 images').max(16, 'best-of makes at most 16 images'),
  keep: z.number().int().min(1, 'keep at least 1 image').max(16),
  /** Keep the rejected images too (marked as rejected, with their rank) instead of discarding them. */
  keepRejected: z.boolean().default(false),
});
export type BestOf = z.infer<typeof BestOfSchema>;

/**
 * How a control image is made from the picture given: Canny edges (OpenCV's, thresholds low/high), an OpenPose map
 * by DWPose (body; with hands, face or both — sd-webui-controlnet's module names), a depth map by Depth Anything V2,
 * or as is.
 */
export const CONTROL_PREPROCESSORS = ['canny', 'openpose', 'openpose_hand', 'openpose_face', 'openpose_full', 'depth', 'none'] as const;
export const ControlPreprocessorSchema = z.enum(CONTROL_PREPROCESSORS, { error: (issue) => `unknown preprocessor ${JSON.stringify(issue.input)}; choose one of ${CONTROL_PREPROCESSORS.join(', ')}` });
export type ControlPreprocessor = z.infer<typeof ControlPreprocessorSchema>;

/** What a control unit's model is: a ControlNet (runs every step beside the UNet) or a T2I-Adapter (runs once). */
export const CONTROL_MODEL_KINDS = ['controlnet', 't2i-adapter'] as const;
export type ControlModelKind = (typeof CONTROL_MODEL_KINDS)[number];

/** One control unit: its model, the picture it is made from, and its strength and window (fractions of the steps). */
export const ControlUnitSchema = z
  .object({
    kind: z.enum(CONTROL_MODEL_KINDS).default('controlnet'),
    model: z.string().min(1, 'choose a ControlNet or T2I-Adapter model'),
    image: z.string().min(1, 'choose a control image'),
    preprocess: ControlPreprocessorSchema.default('none'),
    weight: z.number().finite().min(0, 'control weight must be between 0 and 2').max(2, 'control weight must be between 0 and 2').default(1),
    start: z.number().finite().min(0).max(1).default(0),
    end: z.number().finite().min(0).max(1).default(1),
    /** Canny thresholds (A1111's defaults). */
    low: z.number().finite().min(0).max(1020).default(100),
    high: z.number().finite().min(0).max(1020).default(200),
  })
  .refine((unit) => unit.start < unit.end, { message: 'a control unit must start before it ends', path: ['end'] });
export type ControlUnitChoice = z.infer<typeof ControlUnitSchema>;

export const GenerationParamsSchema = z.object({
  /** A checkpoint file or diffusers folder. */
  model: z.string().min(1, 'choose a model'),
  prompt: z.string().max(20_000),
  negativePrompt: z.string().max(20_000).default(''),
  seed: z.number().int('seed must be a whole number').min(0, 'seed must not be negative').max(Number.MAX_SAFE_INTEGER, `seed must be at most ${Number.MAX_SAFE_INTEGER}`),
  steps: z.number().int().min(1, 'steps must be at least 1').max(150, 'steps must be at most 150'),
  cfg: z.number({ error: 'CFG scale must be a number' }).finite('CFG scale must be a finite number').min(0).max(30, 'CFG scale must be at most 30'),
  sampler: SamplerSchema,
  width: sideSchema('width'),
  height: sideSchema('height'),
  batchSize: z.number().int().min(1).max(16).default(1),
  clipSkip: z.number().int().min(1).max(4).default(1),
  img2img: z
    .object({
      initImage: z.string().min(1),
      strength: z.number().finite().min(0, 'strength must be between 0 and 1').max(1, 'strength must be between 0 and 1'),
    })
    .optional(),
  inpaint: z
    .object({
      /** White = repaint. */
      maskImage: z.string().min(1),
      featherPx: z.number().finite().min(0).max(256).default(4),
    })
    .optional(),
  loras: z.array(LoraChoiceSchema).max(16).default([]),
  /**
   * Textual-inversion files (.pt/.safetensors) whose file stems the prompts may use as words (A1111's embeddings
   * folder; ComfyUI's `embedding:name`); the job runner gives those of the model folders that the prompts mention.
   */
  embeddings: z.array(z.string().min(1)).max(256).default([]),
  faceid: FaceIdChoiceSchema.optional(),
  sizeConditioning: SizeConditioningSchema.optional(),
  /**
   * A VAE file or folder instead of the checkpoint's own (A1111's "SD VAE"), or VAE_AUTOMATIC for the checkpoint's
   * own; absent: the default VAE of Settings in the studio (the checkpoint's own where none is set).
   */
  vae: z.string().min(1).optional(),
  /** "Draft" quality: the final pictures decoded by TAESD (a fraction of a second) instead of the full VAE. */
  draftDecode: z.boolean().optional(),
  /** ControlNet units (SD1.5), summed. */
  control: z.array(ControlUnitSchema).max(4, 'at most 4 control units').default([]),
  hires: HiresFixSchema.optional(),
  faceDetail: FaceDetailSchema.optional(),
  /** A job option: the job runner makes `count` single images and keeps the best by identity score. */
  bestOf: BestOfSchema.optional(),
});
export type GenerationParams = z.infer<typeof GenerationParamsSchema>;

/** A1111's name for "the checkpoint's own VAE", as its SD VAE setting and per-generation override write it. */
export const VAE_AUTOMATIC = 'Automatic';

/** The VAE file or folder a generation uses instead of the checkpoint's own; undefined: the checkpoint's. */
export function chosenVaeFile(params: Pick<GenerationParams, 'vae'>): string | undefined {
  return params.vae === VAE_AUTOMATIC ? undefined : params.vae;
}
export type GenerationParamsInput = z.input<typeof GenerationParamsSchema>;

/** The passes of one generation, named in its progress: the image itself, the hires fix's second pass, the face detail pass. */
export const GENERATION_PASSES = ['generate', 'hires', 'face-detail'] as const;
export type GenerationPass = (typeof GENERATION_PASSES)[number];

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;
