// Test entry point: the inputs a recorded pipeline golden (goldens/pipe_*.safetensors, fixtures README §3) fed
// diffusers — every noise draw in call order (randnNN), the starting latents (latents_init), the prompt embeddings,
// whose rows past the 77 text tokens are the FaceID IP tokens (SDXL goldens: what the UNet got, [uncond, cond], with
// the pooled text embeddings and size conditioning), and the float init image and mask of img2img/inpaint
// goldens (no image file holds those floats exactly: 8 bits would move each pixel by up to 1/510). Replaying them in place of the seeded generator and the
// text encoder makes a whole run comparable with the recorded latents and image. Used by the pipelines golden suite
// and by the hidden `faceid generate --replay-golden` option; plain data only, so it crosses to the engine worker.
import { readTensorFloat32 } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { StudioError } from '../../base/errors.ts';
import { rgbToTensor } from './image-tensors.ts';
import type { TextConditioning } from './conditioning.ts';
import type { IpConditioning } from './diffuse.ts';

/** CLIP's sequence length: prompt embedding rows beyond it are IP tokens. */
const TEXT_TOKENS = 77;

export interface GoldenReplay {
  /** Every randn diffusers drew, in call order. */
  readonly draws: readonly Float32Array[];
  /** x_T when the golden passed it in rather than drawing it. */
  readonly initialLatents?: Float32Array;
  readonly cond: TextConditioning;
  readonly uncond: TextConditioning;
  /** The IP tokens appended to the prompt embeddings (FaceID goldens only). */
  readonly ipTokens?: { readonly cond: Float32Array; readonly uncond: Float32Array; readonly count: number };
  /** The init image, HWC in [0, 1] (img2img and inpaint goldens). */
  readonly initImage?: { readonly hwc01: Float32Array; readonly height: number; readonly width: number };
  /** The inpaint mask, one value per pixel (1 = repaint). */
  readonly mask?: Float32Array;
  /** SDXL's size conditioning (the six time ids). */
  readonly timeIds?: readonly number[];
}

type GoldenTensors = ReadonlyMap<string, { readonly data: Float32Array; readonly shape: readonly number[] }>;

/** The replay inputs of a golden's tensors; undefined when it records no prompt embeddings (not a pipeline golden). */
export function replayFromTensors(tensors: GoldenTensors): GoldenReplay | undefined {
  const sides = promptSides(tensors);
  if (!sides) return undefined;
  const { embeds, negative, pooled } = sides;
  const rows = embeds.shape[1]!;
  const textSize = TEXT_TOKENS * embeds.shape[2]!;
  const timeIds = tensors.get('unet_time_ids');
  const draws = [...tensors.keys()].filter((k) => /^randn\d+$/u.test(k)).sort().map((k) => tensors.get(k)!.data);
  const initial = tensors.get('latents_init');
  const image = tensors.get('image_np_hwc01');
  const mask = tensors.get('mask_np_hwc');
  return {
    draws,
    ...(initial ? { initialLatents: initial.data } : {}),
    cond: { embeddings: embeds.data.slice(0, textSize), tokens: TEXT_TOKENS, ...(pooled ? { pooled: pooled.cond } : {}) },
    uncond: { embeddings: negative.data.slice(0, textSize), tokens: TEXT_TOKENS, ...(pooled ? { pooled: pooled.uncond } : {}) },
    ...(rows > TEXT_TOKENS ? { ipTokens: { cond: embeds.data.slice(textSize), uncond: negative.data.slice(textSize), count: rows - TEXT_TOKENS } } : {}),
    ...(image ? { initImage: { hwc01: image.data, height: image.shape[0]!, width: image.shape[1]! } } : {}),
    ...(mask ? { mask: mask.data } : {}),
    ...(timeIds ? { timeIds: [...timeIds.data.subarray(timeIds.data.length - 6)] } : {}),
  };
}

type GoldenTensor = { readonly data: Float32Array; readonly shape: readonly number[] };

/** Prompt and negative embeddings: SD1.5 goldens record them apart, SDXL goldens as the UNet's [uncond, cond] batch. */
function promptSides(tensors: GoldenTensors): { embeds: GoldenTensor; negative: GoldenTensor; pooled?: { cond: Float32Array; uncond: Float32Array } } | undefined {
  const unetBatch = tensors.get('unet_encoder_hidden_states');
  if (unetBatch?.shape.length === 3 && unetBatch.shape[0] === 2) {
    const [, rows, width] = unetBatch.shape as [number, number, number];
    const half = rows * width;
    const side = (i: number): GoldenTensor => ({ data: unetBatch.data.slice(i * half, (i + 1) * half), shape: [1, rows, width] });
    const textEmbeds = tensors.get('unet_text_embeds');
    const p = textEmbeds ? textEmbeds.data.length / 2 : 0;
    return { embeds: side(1), negative: side(0), ...(textEmbeds ? { pooled: { uncond: textEmbeds.data.slice(0, p), cond: textEmbeds.data.slice(p) } } : {}) };
  }
  const embeds = tensors.get('prompt_embeds');
  const negative = tensors.get('negative_prompt_embeds');
  if (!embeds || !negative || embeds.shape.length !== 3) return undefined;
  return { embeds, negative };
}

function replayedSizeMismatch(what: string, recorded: string, width: number, height: number): StudioError {
  return new StudioError('generate.invalid-parameter', {
    userMessage: `The replayed golden's ${what} is ${recorded}, but the job is ${width}×${height}.`,
    hint: 'Use the size the golden was recorded at.',
  });
}

/** The golden's init image as the VAE's input tensor, when it records one. */
export function replayedInitImage(replay: GoldenReplay | undefined, width: number, height: number): Float32Array | undefined {
  const image = replay?.initImage;
  if (!image) return undefined;
  if (image.width !== width || image.height !== height) throw replayedSizeMismatch('init image', `${image.width}×${image.height}`, width, height);
  return rgbToTensor(image.hwc01, height, width, 1);
}

/** The golden's inpaint mask, when it records one. */
export function replayedMask(replay: GoldenReplay | undefined, width: number, height: number): Float32Array | undefined {
  const mask = replay?.mask;
  if (!mask) return undefined;
  if (mask.length !== width * height) throw replayedSizeMismatch('mask', `${mask.length} pixels`, width, height);
  return mask;
}

/** The IP conditioning a replayed FaceID golden gives, at the chosen face weight. */
export function replayIp(replay: GoldenReplay, scale: number): IpConditioning | undefined {
  return replay.ipTokens ? { ...replay.ipTokens, scale } : undefined;
}

/** Reads a pipeline golden file's replay inputs. */
export async function readGoldenReplay(file: string): Promise<GoldenReplay> {
  const index = await readSafetensors(file);
  const tensors = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  for (const [name, descriptor] of index.tensors) tensors.set(name, { data: await readTensorFloat32(descriptor), shape: descriptor.shape });
  const replay = replayFromTensors(tensors);
  if (!replay) {
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `${file} is not a pipeline golden: it has no prompt_embeds / negative_prompt_embeds of shape [1, rows, channels].`,
      hint: 'Pass one of the goldens/pipe_*.safetensors files.',
    });
  }
  return replay;
}
