// The denoising loop shared by txt2img, img2img and inpaint (diffusers StableDiffusion{,Img2Img,Inpaint}Pipeline
// order of operations and noise draws), one image per batch item, each with its own noise generator (seed + i, as
// A1111 numbers a batch), the UNet run on [uncond…, cond…] for classifier-free guidance.
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import type { NoiseSource } from '../noise/torch-generator.ts';
import { img2imgTimesteps, type Scheduler } from '../schedulers/index.ts';
import type { TextConditioning } from './conditioning.ts';
import { latentMask, tensorToUnitHwc } from './image-tensors.ts';
import type { ControlNetRunner, DiffusionRunners, UnetResiduals } from './runners.ts';

const f = Math.fround;
const LATENT_CHANNELS = 4;
/** Inpainting UNets (diffusers' 9-channel layout): latents ⊕ latent-size mask ⊕ masked-image latents. */
const INPAINT_CHANNELS = LATENT_CHANNELS + 1 + LATENT_CHANNELS;

export interface IpConditioning {
  /** IP tokens [count, crossDim] for the prompt side and the negative side (zero-id embedding). */
  readonly cond: Float32Array;
  readonly uncond: Float32Array;
  readonly count: number;
  /** λ per cross-attention layer (or one value for all). */
  readonly scale: number | Float32Array;
}

/**
 * Where img2img starts, with the share of the schedule to run: one image NCHW [1, 3, H, W] in [−1, 1] for the whole
 * batch, or one per batch item (the hires fix's image upscaler), each encoded by the VAE; or each item's latents
 * already at this size (× scaling factor; the hires fix's latent upscalers).
 */
export type DiffusionInit =
  | { readonly image: Float32Array; readonly strength: number }
  | { readonly images: readonly Float32Array[]; readonly strength: number }
  | { readonly latents: readonly Float32Array[]; readonly strength: number };

export interface DiffusionRequest {
  readonly width: number;
  readonly height: number;
  readonly steps: number;
  readonly cfg: number;
  readonly scheduler: Scheduler;
  readonly cond: TextConditioning;
  readonly uncond: TextConditioning;
  /**
   * SDXL's size conditioning, the same for every image: original size (h, w), crop top-left (top, left), target size
   * (h, w). Needed, with pooled text in `cond`/`uncond`, by a UNet that takes added conditioning.
   */
  readonly timeIds?: readonly number[];
  readonly ip?: IpConditioning;
  /** ControlNet units: each runs every step on the UNet's input and text, their residuals summed (diffusers' MultiControlNet). */
  readonly control?: readonly ControlUnit[];
  /** T2I-Adapter units: features computed once per job, × weight at the steps of their window, summed (MultiAdapter). */
  readonly adapters?: readonly AdapterUnit[];
  /** img2img / inpaint source (inpaint: one image for the batch). */
  readonly init?: DiffusionInit;
  /** Inpaint mask [H·W] in [0, 1], 1 = repaint; needs `init`. */
  readonly mask?: { readonly data: Float32Array; readonly featherPx: number };
  /** One generator per batch item. */
  readonly noise: readonly NoiseSource[];
  /** txt2img: start from these x_T instead of drawing them (one per batch item; tests and "reuse latents"). */
  readonly initialLatents?: readonly Float32Array[];
  readonly signal?: AbortSignal;
  readonly onStep?: (event: StepEvent) => void | Promise<void>;
  /** Sees every intermediate tensor by name (golden tests). */
  readonly tap?: (name: string, data: Float32Array) => void;
}

/** One ControlNet with its image and when it acts. */
export interface ControlUnit {
  readonly runner: ControlNetRunner;
  /** The control image [c, 8h, 8w] in [0, 1] (RGB, not normalised), at the picture's size. */
  readonly image: Float32Array;
  readonly channels: number;
  /** Conditioning scale. */
  readonly weight: number;
  /** The fraction of the steps where it starts and ends acting (diffusers' control_guidance_start/end). */
  readonly start: number;
  readonly end: number;
}

/** One T2I-Adapter's features for one image (one per down level, unscaled) with its weight and window. */
export interface AdapterUnit {
  readonly features: UnetResiduals['down'];
  readonly weight: number;
  readonly start: number;
  readonly end: number;
}

/** The adapters' features for this step (rows repeated for the UNet batch): Σ weight·features over the units in
 * their window, as diffusers scales (v × scale) and MultiAdapter sums; undefined when none acts. */
function adapterFeaturesAt(units: readonly AdapterUnit[], rows: readonly UnetResiduals['down'][], step: number, steps: number): UnetResiduals['down'] | undefined {
  let sum: UnetResiduals['down'] | undefined;
  for (const [u, unit] of units.entries()) {
    const scale = controlScale(unit, step, steps);
    if (scale === 0) continue;
    const scaled = rows[u]!.map((r) => ({ data: r.data.map((v) => f(v * scale)), shape: r.shape }));
    sum = sum ? sum.map((r, k) => ({ data: r.data.map((v, i) => f(v + scaled[k]!.data[i]!)), shape: r.shape })) : scaled;
  }
  return sum;
}

/** diffusers' controlnet_keep: a unit acts at step i of n unless i/n is before its start or (i+1)/n after its end. */
export function controlScale(unit: Pick<ControlUnit, 'weight' | 'start' | 'end'>, step: number, steps: number): number {
  const off = step / steps < unit.start || (step + 1) / steps > unit.end;
  return off ? 0 : unit.weight;
}

function addResiduals(into: UnetResiduals, more: UnetResiduals): UnetResiduals {
  const sum = (a: Float32Array, b: Float32Array) => a.map((v, k) => f(v + b[k]!));
  return { down: into.down.map((r, k) => ({ data: sum(r.data, more.down[k]!.data), shape: r.shape })), mid: { data: sum(into.mid.data, more.mid.data), shape: into.mid.shape } };
}

export interface StepEvent {
  /** 1-based step just finished. */
  readonly step: number;
  readonly total: number;
  /** Current latents and the x₀ estimate of batch item 0 [4, h, w], for previews. */
  readonly latents: Float32Array;
  readonly predOriginal: Float32Array | undefined;
  readonly latentHeight: number;
  readonly latentWidth: number;
}

export interface DiffusionResult {
  /** One HWC image in [0, 1] per batch item. */
  readonly images: Float32Array[];
  readonly latents: Float32Array[];
}

function badParameter(userMessage: string, hint?: string): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, ...(hint ? { hint } : {}) });
}

function checkRequest(request: DiffusionRequest, runners: DiffusionRunners): void {
  const { width, height } = request;
  for (const [axis, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 64 || v > 2048 || v % 8 !== 0) {
      throw badParameter(`The ${axis} ${v} px is not usable: it must be a multiple of 8 from 64 to 2048.`, 'Pick a size such as 512×512 or 512×768.');
    }
  }
  if (request.noise.length < 1) throw badParameter('The batch needs at least one image.');
  if (request.mask && !(request.init && 'image' in request.init)) throw badParameter('Inpainting needs the image to paint into as well as the mask.');
  const perItem = request.init && 'latents' in request.init ? request.init.latents : request.init && 'images' in request.init ? request.init.images : undefined;
  if (perItem && perItem.length !== request.noise.length) throw badParameter(`The batch of ${request.noise.length} needs ${request.noise.length} starting images, not ${perItem.length}.`);
  if (request.cond.tokens !== request.uncond.tokens) throw badParameter('Prompt and negative prompt conditionings differ in length.');
  if ((request.control?.length ?? 0) > 0 && !runners.unet.takesResiduals) throw badParameter('Control units need a UNet compiled for ControlNet residuals.', 'Report this as a bug.');
  for (const unit of request.control ?? []) {
    if (unit.image.length !== unit.channels * request.width * request.height) throw badParameter(`A control image must be ${request.width}×${request.height}, the picture's size.`);
    if (!(unit.start >= 0 && unit.start < unit.end && unit.end <= 1)) throw badParameter(`A control unit acts from ${unit.start} to ${unit.end} of the steps; start must be below end, both from 0 to 1.`);
  }
  if (runners.unet.inChannels !== LATENT_CHANNELS && runners.unet.inChannels !== INPAINT_CHANNELS) {
    throw new StudioError('generate.unsupported-model', {
      userMessage: `This UNet takes ${runners.unet.inChannels} input channels; FaceID Studio runs ordinary (4-channel) and inpainting (9-channel) UNets.`,
      hint: 'Use an ordinary or an inpainting checkpoint.',
    });
  }
  if (runners.unet.inChannels === INPAINT_CHANNELS && !request.mask) {
    throw badParameter('This is an inpainting model: it needs an image and a mask to repaint.', 'Switch to inpainting and give a mask, or choose an ordinary checkpoint for text-to-image and image-to-image.');
  }
  if (runners.unet.takesAddedConditioning && (!request.cond.pooled || !request.uncond.pooled || request.timeIds?.length !== 6)) {
    throw badParameter('This model (SDXL) needs the pooled prompt embedding and the six size/crop conditioning values.');
  }
  if (request.ip && !runners.unet.acceptsIpTokens) {
    throw new StudioError('generate.unsupported-model', {
      userMessage: 'FaceID was requested but the UNet was compiled without an IP-Adapter.',
      hint: 'Compile the model together with the IP-Adapter FaceID file.',
    });
  }
}

/** noise_pred = u + g·(c − u); the UNet output is ordered [uncond…, cond…], each half `half` values. */
function guide(output: Float32Array, half: number, cfg: number): Float32Array {
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = f(output[i]! + f(cfg * f(output[half + i]! - output[i]!)));
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function repeatRows(row: Float32Array, times: number): Float32Array {
  const out = new Float32Array(row.length * times);
  for (let i = 0; i < times; i++) out.set(row, i * row.length);
  return out;
}

/** The source image [1, 3, H, W] with the repainted area (mask ≥ 0.5) set to 0, as diffusers' `masked_image`. */
function maskOut(image: Float32Array, mask: Float32Array): Float32Array {
  const plane = mask.length;
  return image.map((v, i) => (mask[i % plane]! < 0.5 ? v : 0));
}

/**
 * A 9-channel UNet's input: per batch row n, its 4 latent channels, the latent mask, then the masked-image latents of
 * batch item n mod items (the CFG halves repeat the items, as diffusers' torch.cat([x] * 2)).
 */
function withInpaintChannels(latents: Float32Array, mask: Float32Array, maskedImageLatents: readonly Float32Array[], itemSize: number): Float32Array {
  const rows = latents.length / itemSize;
  const rowSize = itemSize + mask.length + itemSize;
  const out = new Float32Array(rows * rowSize);
  for (let n = 0; n < rows; n++) {
    out.set(latents.subarray(n * itemSize, (n + 1) * itemSize), n * rowSize);
    out.set(mask, n * rowSize + itemSize);
    out.set(maskedImageLatents[n % maskedImageLatents.length]!, n * rowSize + itemSize + mask.length);
  }
  return out;
}

export async function diffuse(request: DiffusionRequest, runners: DiffusionRunners): Promise<DiffusionResult> {
  checkRequest(request, runners);
  const { scheduler, width, height, cfg, signal } = request;
  const batch = request.noise.length;
  const h = height / 8;
  const w = width / 8;
  const itemShape = [1, LATENT_CHANNELS, h, w] as const;
  const itemSize = LATENT_CHANNELS * h * w;
  const guided = cfg > 1;
  const tap = request.tap ?? (() => {});

  scheduler.setTimesteps(request.steps);
  const strength = request.init?.strength ?? 1;
  const timesteps = request.init ? img2imgTimesteps(scheduler, request.steps, strength) : scheduler.timesteps;
  if (timesteps.length === 0) {
    throw badParameter(`Strength ${strength} with ${request.steps} steps leaves no step to run.`, 'Raise the strength or the number of steps.');
  }
  throwIfCancelled(signal);

  // Image latents: the VAE posterior sampled with each item's generator (diffusers' retrieve_latents), × scale.
  const inpaintModel = runners.unet.inChannels === INPAINT_CHANNELS;
  let imageLatents: Float32Array[] | undefined;
  const posteriors = new Map<Float32Array, Promise<{ mean: Float32Array; std: Float32Array }>>();
  const encodeImage = async (noise: NoiseSource, image: Float32Array): Promise<Float32Array> => {
    let posterior = posteriors.get(image);
    if (!posterior) posteriors.set(image, (posterior = runners.vae.encode(image, height, width)));
    const { mean, std } = await posterior;
    const eps = noise.randn(itemShape);
    const s = runners.vae.scalingFactor;
    return mean.map((m, i) => f(f(m + f(std[i]! * eps[i]!)) * s));
  };
  // diffusers' masked image: the source where the mask is < 0.5 (kept), 0 where it repaints.
  const initImage = request.init && 'image' in request.init ? request.init.image : undefined;
  const maskedImage = request.mask && initImage ? maskOut(initImage, request.mask.data) : undefined;
  const maskedImageLatents: Float32Array[] = [];

  const latents: Float32Array[] = [];
  const inpaintNoise: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const noise = request.noise[b]!;
    if (!request.init) {
      const start = request.initialLatents?.[b] ?? noise.randn(itemShape);
      latents.push(start.map((v) => f(v * scheduler.initNoiseSigma)));
      continue;
    }
    // diffusers encodes the source image for a 9-channel UNet only when it needs it to noise from (strength < 1).
    const needImageLatent = !(inpaintModel && request.mask && strength >= 1);
    const given = 'latents' in request.init ? request.init.latents[b]! : undefined;
    if (given && given.length !== itemSize) throw badParameter(`Starting latents of ${given.length} values do not fit a ${width}×${height} image.`);
    const source = 'images' in request.init ? request.init.images[b]! : initImage;
    const imageLatent = given ?? (needImageLatent ? await encodeImage(noise, source!) : undefined);
    if (imageLatent) (imageLatents ??= []).push(imageLatent);
    const eps = noise.randn(itemShape);
    if (request.mask) {
      inpaintNoise.push(eps);
      latents.push(strength >= 1 ? eps.map((v) => f(v * scheduler.initNoiseSigma)) : scheduler.addNoise(imageLatent!, eps, timesteps[0]!));
      // diffusers then encodes the masked image: the UNet's extra input for a 9-channel model, unused otherwise, but
      // drawn either way so the generator stays in step with diffusers for everything after.
      if (inpaintModel) maskedImageLatents.push(await encodeImage(noise, maskedImage!));
      else noise.randn(itemShape);
    } else {
      latents.push(scheduler.addNoise(imageLatent!, eps, timesteps[0]!));
    }
  }
  const mask = request.mask ? latentMask(request.mask.data, height, width, request.mask.featherPx) : undefined;
  if (mask) tap('latent_mask', mask);
  latents.forEach((l, b) => tap(`latents_init${b}`, l));

  // Conditioning for the whole UNet batch: [uncond × batch, cond × batch] (or cond only without guidance).
  const text = guided
    ? concat([repeatRows(request.uncond.embeddings, batch), repeatRows(request.cond.embeddings, batch)])
    : repeatRows(request.cond.embeddings, batch);
  const unetBatch = guided ? 2 * batch : batch;
  const added = runners.unet.takesAddedConditioning
    ? {
        textEmbeds: guided ? concat([repeatRows(request.uncond.pooled!, batch), repeatRows(request.cond.pooled!, batch)]) : repeatRows(request.cond.pooled!, batch),
        timeIds: repeatRows(Float32Array.from(request.timeIds!), unetBatch),
      }
    : undefined;
  const ip = request.ip
    ? {
        tokens: guided ? concat([repeatRows(request.ip.uncond, batch), repeatRows(request.ip.cond, batch)]) : repeatRows(request.ip.cond, batch),
        count: request.ip.count,
        scale: typeof request.ip.scale === 'number' ? new Float32Array(runners.unet.crossAttentionLayers).fill(request.ip.scale) : request.ip.scale,
      }
    : undefined;

  // The scheduler steps the whole batch as one tensor (its maths is element-wise); ancestral noise comes from each
  // item's own generator.
  const batchShape = [batch, LATENT_CHANNELS, h, w] as const;
  const batchNoise: NoiseSource = {
    randn: () => concat(request.noise.map((n) => n.randn(itemShape))),
  };
  // Each adapter's features once per row of the UNet batch (the same for every step; scaled per step by its window).
  const adapterUnits = request.adapters ?? [];
  const adapterRows = adapterUnits.map((unit) => unit.features.map((r) => ({ data: repeatRows(r.data, unetBatch), shape: [unetBatch, r.shape[1], r.shape[2], r.shape[3]] as const })));
  // Each control image once per row of the UNet batch.
  const controlImages = (request.control ?? []).map((unit) => repeatRows(unit.image, unetBatch));
  let current = concat(latents);
  const knownLatents = imageLatents ? concat(imageLatents) : undefined;
  const knownNoise = inpaintNoise.length > 0 ? concat(inpaintNoise) : undefined;
  for (let i = 0; i < timesteps.length; i++) {
    throwIfCancelled(signal);
    const t = timesteps[i]!;
    const scaled = scheduler.scaleModelInput(current, t);
    const latentIn = guided ? concat([scaled, scaled]) : scaled;
    const unetIn = inpaintModel ? withInpaintChannels(latentIn, mask!, maskedImageLatents, itemSize) : latentIn;
    tap(`step${i}_unet_in`, unetIn);
    // Units that act this step, their residuals summed; a unit at scale 0 would add exact zeros (diffusers still
    // runs it), so it is skipped. Without any, a UNet compiled for residuals gets zeros from its runner.
    let residuals: UnetResiduals | undefined;
    const units = request.control ?? [];
    const scales = units.map((unit) => controlScale(unit, i, timesteps.length));
    if (units.length > 0) tap(`step${i}_cond_scale`, Float32Array.from(scales));
    const adapterFeatures = adapterFeaturesAt(adapterUnits, adapterRows, i, timesteps.length);
    for (const [u, unit] of units.entries()) {
      if (scales[u] === 0) continue;
      const own = await unit.runner.run({ sample: latentIn, sampleShape: [unetBatch, LATENT_CHANNELS, h, w], timestep: t, encoderHiddenStates: text, tokens: request.cond.tokens, image: controlImages[u]!, imageChannels: unit.channels, scale: scales[u]!, ...(added ? { added } : {}) });
      residuals = residuals ? addResiduals(residuals, own) : own;
    }
    const output = await runners.unet.run({
      sample: unetIn,
      sampleShape: [unetBatch, runners.unet.inChannels, h, w],
      timestep: t,
      encoderHiddenStates: text,
      tokens: request.cond.tokens,
      ...(added ? { added } : {}),
      ...(ip ? { ip } : {}),
      ...(residuals ? { residuals } : {}),
      ...(adapterFeatures ? { adapterFeatures } : {}),
    });
    tap(`step${i}_unet_out`, output);
    const prediction = guided ? guide(output, batch * itemSize, cfg) : output;
    const result = scheduler.step(prediction, t, current, batchNoise, batchShape);
    let next = result.prevSample;
    if (mask && knownLatents && knownNoise && !inpaintModel) {
      // Legacy (4-channel) inpainting: keep the unmasked area on the source image's trajectory.
      const last = i === timesteps.length - 1;
      const known = last ? knownLatents : scheduler.addNoise(knownLatents, knownNoise, timesteps[i + 1]!);
      const plane = h * w;
      next = next.map((v, k) => {
        const m = mask[k % plane]!;
        return f(f(f(1 - m) * known[k]!) + f(m * v));
      });
    }
    current = next;
    tap(`step${i}_latents_after`, current);
    await request.onStep?.({
      step: i + 1,
      total: timesteps.length,
      latents: current.subarray(0, itemSize),
      predOriginal: result.predOriginal?.subarray(0, itemSize),
      latentHeight: h,
      latentWidth: w,
    });
  }

  throwIfCancelled(signal);
  const images: Float32Array[] = [];
  const finalLatents = Array.from({ length: batch }, (_, b) => current.slice(b * itemSize, (b + 1) * itemSize));
  for (const latent of finalLatents) {
    const decoded = await runners.vae.decode(latent.map((v) => f(v / runners.vae.scalingFactor)), h, w);
    images.push(tensorToUnitHwc(decoded, height, width));
  }
  return { images, latents: finalLatents };
}
