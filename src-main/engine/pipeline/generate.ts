// One generation job: parameters → images (PNG bytes carrying the A1111 `parameters` text). Validates everything
// before any work, loads the model through the ModelLoader, builds the text conditioning, seeds one torch-compatible
// generator per image (seed + i, as A1111 numbers a batch) and runs the denoising loop.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { chosenVaeFile, GenerationParamsSchema, hiresSize, sdxlTimeIds, type GenerationParams, type GenerationParamsInput, type GenerationPass } from '../../../src-preload/contract/generation.ts';
import { generationInfotext } from '../../../src-preload/contract/infotext.ts';
import { fileStem } from '../../../src-preload/contract/model-names.ts';
import { addPngText } from '../../../src-preload/contract/png-text.ts';
import type { FileHashCache } from '../io/hash.ts';
import { readTextualInversion, type TextualInversion } from '../io/textual-inversion.ts';
import { TorchCpuGenerator, type NoiseSource } from '../noise/torch-generator.ts';
import { recordedNoise } from '../noise/recorded-noise.ts';
import { replayedInitImage, replayedMask, replayIp, type GoldenReplay } from './golden-replay.ts';
import { loadInitImage, loadMask } from './input-images.ts';
import { adapterTensor, controlMap, controlTensor, type AnnotatorFiles } from '../control/control-image.ts';
import { describeControlFile } from '../io/controlnet.ts';
import { createScheduler } from '../schedulers/index.ts';
import { encodePromptPair } from './conditioning.ts';
import { diffuse, type AdapterUnit, type ControlUnit, type DiffusionInit, type DiffusionRequest, type IpConditioning, type StepEvent } from './diffuse.ts';
import { faceDetailPass, type FaceDetector, type Picture } from './face-detail.ts';
import { hiresInit, hiresScheduleSteps } from './hires-fix.ts';
import { unitHwcToRgb } from './image-tensors.ts';
import type { CompileProgress } from '../models/compile.ts';
import { baseLabel } from '../models/architectures.ts';
import type { LoadedModel, ModelLoader } from './model-loader.ts';
import type { DiffusionRunners } from './runners.ts';
import type { TensorF32 } from '../tensors/tensor.ts';

export const GENERATOR_VERSION = 'FaceID Studio 0.1.0';
/** The text encoder graph outputs the last and the penultimate layer. */
const MAX_CLIP_SKIP = 2;

export interface GeneratedImage {
  readonly png: Uint8Array;
  readonly seed: number;
  /** The picture's size: the parameters' size, or the hires fix's target size. */
  readonly width: number;
  readonly height: number;
  /** The A1111 `parameters` text stored in the PNG. */
  readonly parameters: string;
  /** What the face detail pass did, when it was asked for. */
  readonly faceDetail?: FaceDetailReport;
  /** The image as float HWC in [0,1], before PNG quantisation (replayed goldens only). */
  readonly hwc01?: Float32Array;
  /** The latents entering and leaving each step (`stepK_unet_in`, `stepK_latents_after`; replayed goldens only). */
  readonly stepLatents?: Readonly<Record<string, Float32Array>>;
}

export interface PassStepEvent extends StepEvent {
  readonly pass: GenerationPass;
}

export interface FaceDetailReport {
  /** How many faces were repainted (0: skipped). */
  readonly repainted: number;
  /** Why no face was repainted, in words for the user. */
  readonly skipped?: string;
  /** The picture before the pass (only when the pass changed it and the picture was made by this job). */
  readonly before?: { readonly png: Uint8Array; readonly parameters: string };
}

export interface GenerateContext {
  readonly loader: ModelLoader;
  readonly signal?: AbortSignal;
  /** Each step of each pass (the hires fix and the face detail pass count their own steps). */
  readonly onStep?: (event: PassStepEvent) => void | Promise<void>;
  /** FaceID tokens for the prompt and negative side, computed by the face pipeline (engine/face + projections). */
  readonly ip?: IpConditioning;
  /** Test entry: noise sources replacing the seeded generators (one per image). */
  readonly noise?: readonly NoiseSource[];
  /** Test entry (`faceid generate --replay-golden`): a pipeline golden's noise, starting latents and embeddings in
   *  place of the seeded generator, the text encoder and (when it has IP tokens) `ip`; the images then carry their
   *  float pixels for comparison with the golden. */
  readonly replay?: GoldenReplay;
  /** Hears the model's compilation when this job starts one (first use of these files). */
  readonly onCompileProgress?: (progress: CompileProgress) => void;
  /** Called once the model is loaded (the worker reports "loading" vs "sampling"). */
  readonly onModelLoaded?: (model: LoadedModel) => void;
  /** Finds faces for the face detail pass (SCRFD in the engine; a stand-in in tests). */
  readonly detectFaces?: FaceDetector;
  /** Where the A1111 model and LoRA hashes come from; without it the infotext carries none. */
  readonly hashes?: FileHashCache;
  /** The annotator models preprocessors need (DWPose for OpenPose maps). */
  readonly annotators?: AnnotatorFiles;
  /** The TAESD decoder of the checkpoint's base: a draft decode's decoder. */
  readonly draftDecoder?: string;
}

/** FaceID tokens from engine/models projectFaceTokens ([1, n, C] each) as the pipeline's IP conditioning at λ = weight. */
export function ipConditioning(tokens: { readonly cond: TensorF32; readonly uncond: TensorF32 }, weight: number | Float32Array): IpConditioning {
  return { cond: tokens.cond.data, uncond: tokens.uncond.data, count: tokens.cond.shape[1] ?? 0, scale: weight };
}

/** Parses and checks parameters; every problem is a StudioError naming the field. */
export function validateGenerationParams(input: unknown): GenerationParams {
  const result = GenerationParamsSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || 'parameters'}: ${issue.message}`);
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `The generation parameters are not usable — ${issues.join('; ')}.`,
      hint: 'Fix the named setting and try again.',
    });
  }
  const params = result.data;
  if (params.clipSkip > MAX_CLIP_SKIP) {
    throw new StudioError('generate.invalid-parameter', {
      userMessage: `Clip skip ${params.clipSkip} is not available: the compiled text encoder gives the last two layers (clip skip 1 or 2).`,
      hint: 'Use clip skip 1, or 2 for anime-style models.',
    });
  }
  if (params.inpaint && !params.img2img) {
    throw new StudioError('generate.invalid-parameter', { userMessage: 'Inpainting needs the image to paint into (init image) as well as the mask.', hint: 'Add the init image.' });
  }
  if (params.bestOf) {
    if (params.bestOf.keep > params.bestOf.count) {
      throw new StudioError('generate.invalid-parameter', { userMessage: `Best of ${params.bestOf.count} cannot keep ${params.bestOf.keep} images.`, hint: 'Keep at most as many images as are made.' });
    }
    if (params.batchSize > 1) {
      throw new StudioError('generate.invalid-parameter', { userMessage: 'Best-of-N makes its own batch (one seed per image); it does not combine with a batch size above 1.', hint: 'Set the batch size to 1.' });
    }
  }
  const source = params.faceDetail?.sourceImage;
  if (source !== undefined && (params.img2img || params.hires || params.batchSize > 1 || params.bestOf)) {
    throw new StudioError('generate.invalid-parameter', { userMessage: 'Fixing the faces of an existing image repaints that one image; image-to-image, the hires fix, batches and best-of-N do not apply.', hint: 'Turn those options off.' });
  }
  if (params.hires) {
    if (params.img2img) {
      throw new StudioError('generate.invalid-parameter', { userMessage: 'The hires fix is a second pass after text-to-image; it does not apply to image-to-image or inpainting.', hint: 'Turn the hires fix off, or generate from text.' });
    }
    const target = hiresSize(params.width, params.height, params.hires.scale);
    if (target.width > 2048 || target.height > 2048) {
      throw new StudioError('generate.invalid-parameter', {
        userMessage: `Hires upscale ${params.hires.scale} makes ${params.width}×${params.height} into ${target.width}×${target.height}; the largest side the engine makes is 2048 px.`,
        hint: 'Lower the hires upscale or the first-pass size.',
      });
    }
  }
  return params;
}

/** Keeps the latents a pipeline golden records per step (the UNet's own output is the UNet goldens' business). */
function recordStepLatents(into: Record<string, Float32Array>, name: string, data: Float32Array): void {
  if (/^step\d+_(unet_in|latents_after)$/u.test(name)) into[name] = data.slice();
}

function loraStrengths(model: LoadedModel, params: GenerationParams): number[] {
  return model.compiled.loras.map((lora) => {
    if (params.faceid && path.resolve(lora.file) === path.resolve(params.faceid.adapter)) return params.faceid.loraWeight;
    return params.loras.find((l) => path.resolve(l.file) === path.resolve(lora.file))?.strength ?? 0;
  });
}

/**
 * The infotext's hashes: the checkpoint's (a single file; a diffusers folder has none), each LoRA's by name and each
 * textual-inversion embedding the prompts used.
 */
async function infotextHashes(params: GenerationParams, embeddingsUsed: readonly TextualInversion[], hashes: FileHashCache | undefined, signal?: AbortSignal): Promise<{ modelHash?: string; loraHashes?: Record<string, string>; tiHashes?: Record<string, string> }> {
  if (hashes === undefined) return {};
  const isFile = (await stat(params.model)).isFile();
  const loraHashes: Record<string, string> = {};
  for (const lora of params.loras) loraHashes[fileStem(lora.file)] = await hashes.loraHash(lora.file, signal);
  const tiHashes: Record<string, string> = {};
  for (const embedding of embeddingsUsed) tiHashes[embedding.name] = await hashes.embeddingHash(embedding.file, signal);
  return {
    ...(isFile ? { modelHash: await hashes.modelHash(params.model, signal) } : {}),
    ...(params.loras.length > 0 ? { loraHashes } : {}),
    ...(embeddingsUsed.length > 0 ? { tiHashes } : {}),
  };
}

async function encodePng(hwc: Float32Array, width: number, height: number, parameters: string): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(unitHwcToRgb(hwc)), { raw: { width, height, channels: 3 } }).png().toBuffer();
  return addPngText(new Uint8Array(png), 'parameters', parameters);
}

/** The runners with the final decode through TAESD (draft quality): it takes the UNet's latent as it is and gives
 * [0, 1], where the VAE takes it ÷ the scaling factor and gives [−1, 1]. Encoding (img2img) keeps the full VAE. */
async function withDraftDecode(runners: DiffusionRunners, context: GenerateContext, recipe: LoadedModel['recipe']): Promise<DiffusionRunners> {
  if (context.draftDecoder === undefined) {
    throw new StudioError('generate.model-missing', { userMessage: `A draft decode needs the TAESD decoder for ${recipe.label}, and none is in your model folders.`, hint: `Download TAESD${recipe.base === 'sdxl' ? 'XL' : ''} on the Models page, or turn draft decoding off.` });
  }
  const decoder = await context.loader.previewDecoder(context.draftDecoder);
  const { scalingFactor } = runners.vae;
  return {
    ...runners,
    vae: {
      ...runners.vae,
      async decode(latent, height, width) {
        const image = await decoder.decode(latent.map((v) => Math.fround(v * scalingFactor)), height, width);
        return image.map((v) => 2 * v - 1);
      },
    },
  };
}

/** The job's control units (models compiled once, cached) with their control images at the picture's size: the
 * ControlNets to run every step, and the T2I-Adapters' features, computed here once. */
async function controlUnits(params: GenerationParams, model: LoadedModel, context: GenerateContext): Promise<{ controlNets: ControlUnit[]; adapters: AdapterUnit[] }> {
  const controlNets: ControlUnit[] = [];
  const adapters: AdapterUnit[] = [];
  for (const unit of params.control) {
    // A control model works only with the base it was trained beside (its residuals have that UNet's widths).
    const base = (await describeControlFile(unit.model))?.base;
    if (base !== undefined && base !== model.recipe.base) {
      throw new StudioError('generate.invalid-parameter', { userMessage: `${fileStem(unit.model)} is an ${baseLabel(base)} control model; the checkpoint ${fileStem(params.model)} is ${model.recipe.label}.`, hint: `Choose a ${unit.kind === 't2i-adapter' ? 'T2I-Adapter' : 'ControlNet'} made for ${model.recipe.label}, or another checkpoint.` });
    }
    const map = await controlMap(unit.image, params.width, params.height, unit, context.annotators);
    const window = { weight: unit.weight, start: unit.start, end: unit.end };
    if (unit.kind === 't2i-adapter') {
      const { runner } = await context.loader.t2iAdapter(unit.model, context.signal);
      adapters.push({ features: await runner.run(adapterTensor(map, params.width, params.height, runner.imageChannels), params.height, params.width), ...window });
    } else {
      const { runner } = await context.loader.controlNet(unit.model, context.signal);
      controlNets.push({ runner, image: controlTensor(map, params.width, params.height), channels: 3, ...window });
    }
    throwIfCancelled(context.signal);
  }
  return { controlNets, adapters };
}

export async function generate(input: GenerationParamsInput | GenerationParams, context: GenerateContext): Promise<GeneratedImage[]> {
  const params = validateGenerationParams(input);
  const replay = context.replay;
  if (replay && params.batchSize !== 1) {
    throw new StudioError('generate.invalid-parameter', { userMessage: `A replayed golden holds the noise of one image; batch size ${params.batchSize} cannot be replayed.`, hint: 'Use batch size 1.' });
  }
  if (replay && params.hires) {
    throw new StudioError('generate.invalid-parameter', { userMessage: 'A replayed golden holds the noise of one pass; the hires fix cannot be replayed.', hint: 'Turn the hires fix off.' });
  }
  const ip = context.ip ?? (replay && params.faceid ? replayIp(replay, params.faceid.faceWeight) : undefined);
  if (params.faceid && !ip) {
    throw new StudioError('generate.invalid-parameter', { userMessage: 'FaceID was chosen but no face tokens were prepared for this job.', hint: 'Add reference photos of the face.' });
  }
  if (params.faceDetail && context.detectFaces === undefined) {
    throw new StudioError('face.model-missing', { userMessage: 'The face detail pass needs the face detector, and the engine was started without the face models.', hint: 'Install the face models (Models page), or turn the face detail pass off.' });
  }
  const { width, height } = params;
  const init = params.img2img ? (replayedInitImage(replay, width, height) ?? (await loadInitImage(params.img2img.initImage, width, height))) : undefined;
  const mask = params.inpaint ? (replayedMask(replay, width, height) ?? (await loadMask(params.inpaint.maskImage, width, height))) : undefined;
  throwIfCancelled(context.signal);

  const withControlNets = params.control.some((unit) => unit.kind === 'controlnet');
  const withAdapters = params.control.some((unit) => unit.kind === 't2i-adapter');
  const model = await context.loader.load(
    { model: params.model, ...(params.faceid ? { adapter: params.faceid.adapter } : {}), loras: params.loras.map((l) => l.file), ...(withControlNets ? { controlResiduals: true } : {}), ...(withAdapters ? { adapterFeatures: true } : {}), ...(chosenVaeFile(params) ? { vae: chosenVaeFile(params)! } : {}) },
    context.signal,
    context.onCompileProgress,
  );
  context.onModelLoaded?.(model);
  throwIfCancelled(context.signal);
  const control = params.control.length > 0 ? await controlUnits(params, model, context) : undefined;
  const runners = params.draftDecode ? await withDraftDecode(model.runners(loraStrengths(model, params)), context, model.recipe) : model.runners(loraStrengths(model, params));
  const encoders = model.tokenizers.map((tokenizer, i) => ({ tokenizer, runner: runners.textEncoders[i]!, textualInversionKey: model.recipe.textEncoders[i]!.textualInversionKey }));
  const embeddings = await Promise.all(params.embeddings.map(readTextualInversion));
  const encoding = { clipSkip: params.clipSkip, zerosForEmptyNegative: model.recipe.zerosForEmptyNegative, embeddings };
  const conditioning = replay ?? (await encodePromptPair(encoders, params.prompt, params.negativePrompt, encoding));
  const stepLatents: Record<string, Float32Array> = {};
  const noise = (replay ? [recordedNoise(replay.draws, 'replayed golden')] : undefined) ?? context.noise ?? Array.from({ length: params.batchSize }, (_, i) => new TorchCpuGenerator(BigInt(params.seed) + BigInt(i)));
  const pass = (size: { width: number; height: number }, name: GenerationPass, init?: DiffusionInit): DiffusionRequest => ({
    ...size,
    steps: params.steps,
    cfg: params.cfg,
    // A fresh scheduler per pass: img2img leaves its begin index set.
    scheduler: createScheduler(params.sampler, model.schedulerConfig),
    cond: conditioning.cond,
    uncond: conditioning.uncond,
    // The face square is a picture of its own: SDXL is told its size, not the whole picture's conditioning.
    ...(model.recipe.addedConditioning === 'text-time' ? { timeIds: replay?.timeIds ?? sdxlTimeIds(size.width, size.height, name === 'face-detail' ? {} : params.sizeConditioning) } : {}),
    ...(ip ? { ip } : {}),
    ...(init ? { init } : {}),
    noise,
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.onStep ? { onStep: (event: StepEvent) => context.onStep!({ ...event, pass: name }) } : {}),
  });
  const source = params.faceDetail?.sourceImage;
  let pictures: Picture[];
  if (source !== undefined) {
    pictures = [await loadPicture(source)];
  } else {
    let result = await diffuse(
      {
        ...pass({ width, height }, 'generate', init && params.img2img ? { image: init, strength: params.img2img.strength } : undefined),
        ...(mask && params.inpaint ? { mask: { data: mask, featherPx: params.inpaint.featherPx } } : {}),
        // The control units shape the picture's own pass; the hires and face passes refine it without them.
        ...(control ? { control: control.controlNets, adapters: control.adapters } : {}),
        ...(replay?.initialLatents ? { initialLatents: [replay.initialLatents] } : {}),
        ...(replay ? { tap: (name: string, data: Float32Array) => recordStepLatents(stepLatents, name, data) } : {}),
      },
      runners,
    );
    let size = { width, height };
    if (params.hires) {
      // The second pass continues each image's generator, so the pair of passes stays one seeded computation.
      const target = hiresSize(width, height, params.hires.scale);
      const start = await hiresInit(result, size, target, params.hires.upscaler, params.hires.denoise);
      result = await diffuse({ ...pass(target, 'hires', start), steps: hiresScheduleSteps(params.hires.steps || params.steps, params.hires.denoise) }, runners);
      size = target;
    }
    pictures = result.images.map((hwc) => ({ hwc, ...size }));
  }
  const faceDetail = params.faceDetail;
  const faceConditioning = faceDetail?.prompt ? await encodePromptPair(encoders, `${params.prompt}, ${faceDetail.prompt}`, params.negativePrompt, encoding) : conditioning;
  const used = new Set(['embeddingsUsed' in conditioning ? conditioning.embeddingsUsed : [], 'embeddingsUsed' in faceConditioning ? faceConditioning.embeddingsUsed : []].flat());
  const hashes = await infotextHashes(params, embeddings.filter((e) => used.has(e.name)), context.hashes, context.signal);
  const infotext = (p: GenerationParams, seed: number, picture: Picture) =>
    generationInfotext(source === undefined ? p : { ...p, width: picture.width, height: picture.height }, { seed, ...hashes, padConds: 'padded' in conditioning && conditioning.padded, version: GENERATOR_VERSION });
  const images: GeneratedImage[] = [];
  for (const [i, picture] of pictures.entries()) {
    const seed = params.seed + i;
    let final = picture;
    let report: FaceDetailReport | undefined;
    if (faceDetail) {
      const workSize = faceDetail.size ?? model.recipe.nativeSize;
      const faceSeed = faceDetail.seed ?? seed;
      const outcome = await faceDetailPass(picture, faceDetail, {
        size: workSize,
        detect: context.detectFaces!,
        ...(context.signal ? { signal: context.signal } : {}),
        repaint: async (crop, faceMask, face) => {
          const repaint = await diffuse(
            {
              ...pass({ width: workSize, height: workSize }, 'face-detail', { image: crop, strength: faceDetail.strength }),
              // img2img runs floor(steps · strength) steps: a short schedule at a low strength still gets one.
              steps: Math.max(params.steps, Math.ceil(1 / faceDetail.strength)),
              cond: faceConditioning.cond,
              uncond: faceConditioning.uncond,
              // The mask is feathered at full resolution when the repaint is blended back; inside diffusion it is binary.
              mask: { data: faceMask, featherPx: 0 },
              noise: [new TorchCpuGenerator(BigInt(faceSeed) + BigInt(face))],
            },
            runners,
          );
          return repaint.images[0]!;
        },
      });
      final = outcome.picture;
      const { faceDetail: _none, ...withoutPass } = params;
      report = {
        repainted: outcome.regions.length,
        ...(outcome.skipped === undefined ? {} : { skipped: outcome.skipped }),
        // The picture before the pass, for the library to keep as the parent (a fixed image's parent is already there).
        ...(outcome.regions.length > 0 && source === undefined
          ? { before: { png: await encodePng(picture.hwc, picture.width, picture.height, infotext(withoutPass, seed, picture)), parameters: infotext(withoutPass, seed, picture) } }
          : {}),
      };
    }
    const parameters = infotext(params, seed, final);
    images.push({
      png: await encodePng(final.hwc, final.width, final.height, parameters),
      seed,
      parameters,
      width: final.width,
      height: final.height,
      ...(report ? { faceDetail: report } : {}),
      ...(replay ? { hwc01: final.hwc, stepLatents } : {}),
    });
  }
  return images;
}

/** An existing picture (the "Fix face" source) at its own size, EXIF-rotated, as HWC [0, 1]. */
async function loadPicture(file: string): Promise<Picture> {
  try {
    const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { hwc: Float32Array.from(data, (v) => v / 255), width: info.width, height: info.height };
  } catch (cause) {
    throw new StudioError('image.unsupported-format', { userMessage: `The image ${file} could not be read (${(cause as Error).message}).`, hint: 'Use a PNG, JPEG or WebP file.', cause });
  }
}

