// The request bodies of A1111's /sdapi/v1/txt2img and /img2img (modules/api/models.py, built from the
// StableDiffusionProcessing fields and their defaults) and how one becomes our generation parameters. Fields we have
// no use for (restore_faces, tiling, subseed, styles…) are accepted and ignored, as A1111 ignores unknown ones; the
// ones that would change the picture and that we cannot honour are named back to the caller.
import { z } from 'zod';
import { HIRES_UPSCALERS, SAMPLERS, type GenerationParamsInput, type HiresUpscaler } from '../../../../src-preload/contract/generation.ts';
import { a1111Sampler, a1111SamplerName } from '../../../../src-preload/contract/a1111-parameters.ts';

/** A ControlNet unit as sd-webui-controlnet's API takes it in `alwayson_scripts.controlnet.args`. */
const ControlNetUnitSchema = z.looseObject({
  enabled: z.boolean().default(true),
  module: z.string().default('none'),
  model: z.string().default('None'),
  weight: z.number().default(1),
  /** base64 (with or without a data: prefix); older clients send `input_image`. */
  image: z.union([z.string(), z.object({ image: z.string() }).loose()]).optional(),
  input_image: z.string().optional(),
});
type ControlNetUnit = z.infer<typeof ControlNetUnitSchema>;

const CommonSchema = z.looseObject({
  prompt: z.string().default(''),
  negative_prompt: z.string().default(''),
  seed: z.number().int().default(-1),
  sampler_name: z.string().optional(),
  /** models.py's default for the old field name. */
  sampler_index: z.string().default('Euler'),
  scheduler: z.string().optional(),
  batch_size: z.number().int().min(1).default(1),
  n_iter: z.number().int().min(1).default(1),
  // processing.py StableDiffusionProcessing defaults.
  steps: z.number().int().default(50),
  cfg_scale: z.number().default(7),
  width: z.number().int().default(512),
  height: z.number().int().default(512),
  override_settings: z.record(z.string(), z.unknown()).default({}),
  alwayson_scripts: z.record(z.string(), z.looseObject({ args: z.array(z.unknown()).default([]) })).default({}),
  send_images: z.boolean().default(true),
  /** Our extension field: generate with this library character's face (FaceID). */
  character: z.string().optional(),
});

/** txt2img's hires fix fields (processing.py StableDiffusionProcessingTxt2Img); A1111's UI sends 0.7 as the denoise. */
export const Txt2ImgRequestSchema = CommonSchema.extend({
  enable_hr: z.boolean().default(false),
  hr_scale: z.number().default(2),
  hr_upscaler: z.string().nullable().optional(),
  hr_second_pass_steps: z.number().int().min(0).default(0),
  hr_resize_x: z.number().int().min(0).default(0),
  hr_resize_y: z.number().int().min(0).default(0),
  denoising_strength: z.number().min(0).max(1).nullable().optional(),
});
export type Txt2ImgRequest = z.infer<typeof Txt2ImgRequestSchema>;

/** The hires fix a txt2img body asks for (A1111's default upscaler is "Latent"; a target size must be a scale of the first). */
export function hiresParams(request: Txt2ImgRequest): { hires?: GenerationParamsInput['hires']; problems: string[] } {
  if (!request.enable_hr) return { problems: [] };
  const problems: string[] = [];
  const upscaler = request.hr_upscaler ?? 'Latent';
  if (!(HIRES_UPSCALERS as readonly string[]).includes(upscaler)) problems.push(`hr_upscaler "${upscaler}" is not available; use one of ${HIRES_UPSCALERS.join(', ')}`);
  let scale = request.hr_scale;
  if (request.hr_resize_x > 0 || request.hr_resize_y > 0) {
    const byX = request.hr_resize_x / request.width;
    const byY = request.hr_resize_y / request.height;
    if (request.hr_resize_x > 0 && request.hr_resize_y > 0 && Math.abs(byX - byY) > 1e-9) problems.push(`hr_resize_x × hr_resize_y (${request.hr_resize_x}×${request.hr_resize_y}) changes the aspect ratio; give one of them or hr_scale`);
    scale = request.hr_resize_x > 0 ? byX : byY;
  }
  return { hires: { scale, steps: request.hr_second_pass_steps, denoise: request.denoising_strength ?? 0.7, upscaler: upscaler as HiresUpscaler }, problems };
}

/** img2img's body; A1111's img2img has no hires fix, so its txt2img fields are read and left unused. */
export const Img2ImgRequestSchema = Txt2ImgRequestSchema.extend({
  init_images: z.array(z.string()).min(1, 'init_images needs one image (base64)'),
  denoising_strength: z.number().min(0).max(1).default(0.75),
  mask: z.string().nullable().optional(),
  mask_blur: z.number().min(0).default(4),
  inpainting_mask_invert: z.number().int().default(0),
});

/** The FaceID unit among sd-webui-controlnet's, if the request has one enabled. */
export function faceIdUnit(request: Txt2ImgRequest): ControlNetUnit | undefined {
  const units = request.alwayson_scripts.controlnet?.args ?? [];
  for (const raw of units) {
    const unit = ControlNetUnitSchema.safeParse(raw);
    if (unit.success && unit.data.enabled && /^ip-adapter[_-]face_?id/iu.test(unit.data.module)) return unit.data;
  }
  return undefined;
}

/** The unit's face image as base64 without a data: prefix. */
export function unitImage(unit: ControlNetUnit): string | undefined {
  const image = typeof unit.image === 'string' ? unit.image : (unit.image?.image ?? unit.input_image);
  return image === undefined ? undefined : stripDataUrl(image);
}

export function stripDataUrl(base64: string): string {
  const comma = base64.indexOf(',');
  return base64.startsWith('data:') && comma > 0 ? base64.slice(comma + 1) : base64;
}

/** What a txt2img/img2img body asks for, in our parameters (model, images and FaceID are the API's to fill in). */
export function baseParams(request: Txt2ImgRequest, seed: number, clipSkip: number): { params: Omit<GenerationParamsInput, 'model'>; problems: string[] } {
  const problems: string[] = [];
  const samplerName = request.sampler_name ?? request.sampler_index;
  // The API's scheduler defaults to Automatic (1.9+), which is what the infotext reader means by that word too.
  const sampler = a1111Sampler(samplerName, request.scheduler ?? 'Automatic');
  if (sampler === undefined) problems.push(`sampler "${samplerName}"${request.scheduler === undefined ? '' : ` with schedule "${request.scheduler}"`} is not available; use one of ${SAMPLERS.map(a1111SamplerName).filter((n, i, all) => all.indexOf(n) === i).join(', ')}`);
  return {
    params: {
      prompt: request.prompt,
      negativePrompt: request.negative_prompt,
      seed,
      steps: request.steps,
      cfg: request.cfg_scale,
      sampler: sampler ?? 'Euler',
      width: request.width,
      height: request.height,
      batchSize: request.batch_size * request.n_iter,
      clipSkip,
    },
    problems,
  };
}
