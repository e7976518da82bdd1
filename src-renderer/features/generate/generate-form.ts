// The Generate form: what the user set (kept across reloads), and how it becomes the jobs the engine runs.
import { ControlUnitSchema, FACEID_VARIANTS, type ControlModelKind, HIRES_UPSCALERS, SAMPLERS, SizeConditioningSchema, type ControlPreprocessor, type FaceIdVariant, type GenerationParamsInput, type HiresUpscaler, type Sampler, type SizeConditioning } from '../../../src-preload/contract/generation.ts';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import type { RecalledSettings } from '../../../src-preload/contract/infotext.ts';
import { fileStem, modelName, variantOfFile } from '../../../src-preload/contract/model-names.ts';
import type { Model, ModelBase } from '../../../src-preload/contract/models.ts';
import { applyStyleTemplate, combineNegatives, type StylePreset } from '../../../src-preload/contract/presets.ts';
import { checkpointBase, type ModelChoices } from './model-choices.ts';
import { changedConditioning, defaultSize } from './sizes.ts';

export const SEED_MODES = ['random', 'fixed', 'increment'] as const;
export type SeedMode = (typeof SEED_MODES)[number];

export const MAX_SEED = 2 ** 32 - 1;

export interface GenerateForm {
  characterId: string;
  prompt: string;
  negativePrompt: string;
  presetId: string;
  model: string;
  variant: FaceIdVariant;
  faceWeight: number;
  structure: number;
  loraWeight: number;
  cfg: number;
  steps: number;
  sampler: Sampler;
  /** A1111's "Clip skip": 2 conditions on the text encoder's penultimate layer (anime-style models). */
  clipSkip: number;
  /** A VAE file or folder, VAE_AUTOMATIC (the checkpoint's own), or '' for the default VAE of Settings. */
  vae: string;
  /** Decode the final pictures with TAESD: a fraction of a second, draft quality. */
  draftDecode: boolean;
  seedMode: SeedMode;
  seed: number;
  width: number;
  height: number;
  /** SDXL only: the size-conditioning values the user set; one left out follows the image size (crop: 0). */
  sizeConditioning: SizeConditioning;
  batchCount: number;
  /** img2img: a library media path (sent from the gallery), or '' for text-to-image. */
  initImage: string;
  strength: number;
  /** Inpaint mask (white = repaint) as a media path; set by the inpaint editor. */
  maskImage: string;
  featherPx: number;
  /** The generation this form came from (remix / img2img / inpaint), recorded as the jobs' parent. */
  parentId: string;
  /** Hires fix (text-to-image only): a second img2img pass at width·scale × height·scale. */
  hires: boolean;
  hiresScale: number;
  /** 0: as many steps as the first pass. */
  hiresSteps: number;
  hiresDenoise: number;
  hiresUpscaler: HiresUpscaler;
  /** Face detail pass (needs a character): each face repainted at the model's size with the character's FaceID. */
  faceDetail: boolean;
  faceDetailStrength: number;
  faceDetailPrompt: string;
  faceDetailFaces: FaceDetailFaces;
  /** Keep the picture before the pass when the pass lowers its identity score. */
  faceDetailIdentityCheck: boolean;
  /** Best-of-N (needs a character): each job makes bestOfCount images and keeps the bestOfKeep most like the character. */
  bestOf: boolean;
  bestOfCount: number;
  bestOfKeep: number;
  keepRejected: boolean;
  /** Control units (SD1.5): each a ControlNet or T2I-Adapter file, a control picture (a library media path) and settings. */
  controlUnits: ControlUnitForm[];
}

export interface ControlUnitForm {
  /** Follows the chosen model's kind. */
  kind: ControlModelKind;
  model: string;
  image: string;
  preprocess: ControlPreprocessor;
  weight: number;
  start: number;
  end: number;
}

/** A stored unit, possibly still without its model or picture. */
function isControlUnitForm(value: unknown): value is ControlUnitForm {
  if (typeof value !== 'object' || value === null) return false;
  const unit = value as Record<string, unknown>;
  return typeof unit['model'] === 'string' && typeof unit['image'] === 'string' && ControlUnitSchema.safeParse({ ...unit, model: 'm', image: 'i' }).success;
}

/** The kind a model of the model list is run as in a control unit. */
export function controlKindOf(model: Pick<Model, 'kind'> | undefined): ControlModelKind {
  return model?.kind === 't2i-adapter' ? 't2i-adapter' : 'controlnet';
}

export const NEW_CONTROL_UNIT: Omit<ControlUnitForm, 'kind' | 'model' | 'image'> = { preprocess: 'canny', weight: 1, start: 0, end: 1 };

export const FACE_DETAIL_FACES = ['largest', 'all'] as const;
export type FaceDetailFaces = (typeof FACE_DETAIL_FACES)[number];

export const DEFAULT_FORM: GenerateForm = {
  characterId: '',
  prompt: '',
  negativePrompt: '',
  presetId: 'builtin:photo',
  model: '',
  variant: 'faceid-plusv2',
  faceWeight: 0.85,
  structure: 1,
  loraWeight: 0.6,
  cfg: 7,
  steps: 25,
  sampler: 'DPM++ 2M Karras',
  clipSkip: 1,
  vae: '',
  draftDecode: false,
  seedMode: 'random',
  seed: 12345,
  width: 512,
  height: 768,
  sizeConditioning: {},
  batchCount: 1,
  initImage: '',
  strength: 0.6,
  maskImage: '',
  featherPx: 4,
  parentId: '',
  hires: false,
  hiresScale: 1.5,
  hiresSteps: 0,
  hiresDenoise: 0.5,
  hiresUpscaler: 'Latent',
  faceDetail: false,
  faceDetailStrength: 0.4,
  faceDetailPrompt: '',
  faceDetailFaces: 'largest',
  faceDetailIdentityCheck: true,
  bestOf: false,
  bestOfCount: 4,
  bestOfKeep: 1,
  keepRejected: false,
  controlUnits: [],
};

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** What localStorage held, made valid field by field (a damaged or older entry keeps what is still good). */
export function acceptStoredForm(stored: unknown): GenerateForm | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const form: Record<string, unknown> = { ...DEFAULT_FORM };
  for (const [key, fallback] of Object.entries(DEFAULT_FORM)) {
    const value = (stored as Record<string, unknown>)[key];
    if (typeof value === typeof fallback && (typeof value !== 'number' || isNumber(value))) form[key] = value;
  }
  if (!SAMPLERS.includes(form.sampler as Sampler)) form.sampler = DEFAULT_FORM.sampler;
  if (!FACEID_VARIANTS.includes(form.variant as FaceIdVariant)) form.variant = DEFAULT_FORM.variant;
  if (!SEED_MODES.includes(form.seedMode as SeedMode)) form.seedMode = DEFAULT_FORM.seedMode;
  if (form.clipSkip !== 1 && form.clipSkip !== 2) form.clipSkip = DEFAULT_FORM.clipSkip;
  if (!HIRES_UPSCALERS.includes(form.hiresUpscaler as HiresUpscaler)) form.hiresUpscaler = DEFAULT_FORM.hiresUpscaler;
  if (!FACE_DETAIL_FACES.includes(form.faceDetailFaces as FaceDetailFaces)) form.faceDetailFaces = DEFAULT_FORM.faceDetailFaces;
  // Units stored before T2I-Adapters ran have no kind: they were ControlNets.
  form.controlUnits = Array.isArray(form.controlUnits) ? form.controlUnits.filter(isControlUnitForm).map((u) => ({ ...u, kind: u.kind ?? 'controlnet' })) : [];
  const conditioning = SizeConditioningSchema.safeParse(form.sizeConditioning);
  form.sizeConditioning = conditioning.success ? conditioning.data : DEFAULT_FORM.sizeConditioning;
  return form as unknown as GenerateForm;
}

export function randomSeed(): number {
  const values = new Uint32Array(1);
  crypto.getRandomValues(values);
  return values[0] ?? 0;
}

/** The seeds a Generate press uses, one per job, and the seed the form shows afterwards. */
export function planSeeds(form: Pick<GenerateForm, 'seedMode' | 'seed' | 'batchCount'>, random = randomSeed): { seeds: number[]; nextSeed: number } {
  if (form.seedMode === 'fixed') return { seeds: Array.from({ length: form.batchCount }, () => form.seed), nextSeed: form.seed };
  if (form.seedMode === 'increment') {
    const seeds = Array.from({ length: form.batchCount }, (_, i) => (form.seed + i) % (MAX_SEED + 1));
    return { seeds, nextSeed: (form.seed + form.batchCount) % (MAX_SEED + 1) };
  }
  const seeds = Array.from({ length: form.batchCount }, random);
  return { seeds, nextSeed: seeds.at(-1) ?? form.seed };
}

/**
 * The parameters of one job: the preset's template around the prompt, FaceID when a character and adapter are chosen,
 * and for an SDXL checkpoint the size conditioning the user changed (none sent means diffusers' defaults).
 */
export function toParams(form: GenerateForm, preset: StylePreset | undefined, seed: number, adapter: string | undefined, base: ModelBase = 'sd15'): GenerationParamsInput {
  const sizeConditioning = base === 'sdxl' ? changedConditioning(form.sizeConditioning, form) : undefined;
  return {
    model: form.model,
    prompt: preset === undefined ? form.prompt : applyStyleTemplate(preset.template, form.prompt),
    negativePrompt: preset === undefined ? form.negativePrompt : combineNegatives(form.negativePrompt, preset.negative),
    seed,
    steps: form.steps,
    cfg: form.cfg,
    sampler: form.sampler,
    clipSkip: form.clipSkip,
    ...(form.vae === '' ? {} : { vae: form.vae }),
    ...(form.draftDecode ? { draftDecode: true } : {}),
    width: form.width,
    height: form.height,
    batchSize: 1,
    ...(sizeConditioning === undefined ? {} : { sizeConditioning }),
    ...(form.initImage === '' ? {} : { img2img: { initImage: form.initImage, strength: form.strength } }),
    ...(form.maskImage === '' || form.initImage === '' ? {} : { inpaint: { maskImage: form.maskImage, featherPx: form.featherPx } }),
    ...(form.characterId === '' || adapter === undefined
      ? {}
      : { faceid: { adapter, characterId: form.characterId, faceWeight: form.faceWeight, structure: form.structure, loraWeight: form.loraWeight } }),
    ...extraPasses(form, adapter),
    // A unit without its model or picture yet is left out (the section says what it still needs).
    control: form.controlUnits.filter((u) => u.model !== '' && u.image !== '').map((u) => ({ ...u })),
  };
}

/**
 * The hires fix (text-to-image only), and the passes that work with the character's identity: the face detail pass
 * and best-of-N (both need a character with an adapter, as the identity is what they repaint with and rank by).
 */
function extraPasses(form: GenerateForm, adapter: string | undefined): Partial<GenerationParamsInput> {
  const withCharacter = form.characterId !== '' && adapter !== undefined;
  return {
    ...(form.hires && form.initImage === '' ? { hires: { scale: form.hiresScale, steps: form.hiresSteps, denoise: form.hiresDenoise, upscaler: form.hiresUpscaler } } : {}),
    ...(form.faceDetail && withCharacter
      ? { faceDetail: { strength: form.faceDetailStrength, prompt: form.faceDetailPrompt, faces: form.faceDetailFaces, identityCheck: form.faceDetailIdentityCheck } }
      : {}),
    ...(form.bestOf && withCharacter ? { bestOf: { count: form.bestOfCount, keep: Math.min(form.bestOfKeep, form.bestOfCount), keepRejected: form.keepRejected } } : {}),
  };
}

/** The form's pass settings from parameters that state them (a remixed or dropped picture); unstated ones are off. */
function passesFromParams(form: GenerateForm, params: Partial<Pick<GenerationParamsInput, 'hires' | 'faceDetail'>>): Partial<GenerateForm> {
  const { hires, faceDetail } = params;
  return {
    hires: hires !== undefined,
    ...(hires === undefined ? {} : { hiresScale: hires.scale, hiresSteps: hires.steps ?? 0, hiresDenoise: hires.denoise ?? form.hiresDenoise, hiresUpscaler: hires.upscaler ?? form.hiresUpscaler }),
    faceDetail: faceDetail !== undefined,
    ...(faceDetail === undefined
      ? {}
      : {
          faceDetailStrength: faceDetail.strength ?? form.faceDetailStrength,
          faceDetailPrompt: faceDetail.prompt ?? '',
          faceDetailFaces: faceDetail.faces === 'all' ? 'all' : 'largest',
          faceDetailIdentityCheck: faceDetail.identityCheck ?? true,
        }),
  };
}

/**
 * The form after choosing another checkpoint. A change of base brings that base's default size (an SD1.5 size is
 * poor on SDXL and the other way round) and drops the SDXL size conditioning; the variant stays when the new base has
 * an adapter for it, else becomes the first variant it has. The adapter itself follows from checkpoint and variant,
 * so one of the other base is never kept.
 */
export function formWithModel(form: GenerateForm, model: string, from: ModelBase, to: ModelBase, installed: ReadonlyMap<FaceIdVariant, Model>): GenerateForm {
  const variant = installed.has(form.variant) ? form.variant : (FACEID_VARIANTS.find((v) => installed.has(v)) ?? form.variant);
  if (from === to) return { ...form, model, variant };
  return { ...form, model, variant, ...defaultSize(to), sizeConditioning: {} };
}

/**
 * A gallery image's parameters loaded back into the form ("remix", and the img2img / inpaint sources built on it); the
 * style preset is off since the prompt already holds it. One job: the seed is fixed, so a batch count kept from
 * earlier would queue identical copies of the picture.
 */
export function formFromGeneration(form: GenerateForm, generation: Generation): GenerateForm {
  const { params } = generation;
  return {
    ...form,
    characterId: generation.characterId ?? params.faceid?.characterId ?? '',
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    presetId: 'builtin:none',
    model: params.model,
    faceWeight: params.faceid?.faceWeight ?? form.faceWeight,
    structure: params.faceid?.structure ?? form.structure,
    loraWeight: params.faceid?.loraWeight ?? form.loraWeight,
    cfg: params.cfg,
    steps: params.steps,
    sampler: params.sampler,
    clipSkip: params.clipSkip,
    vae: params.vae ?? '',
    draftDecode: params.draftDecode === true,
    seedMode: 'fixed',
    seed: generation.seed,
    width: params.width,
    height: params.height,
    sizeConditioning: params.sizeConditioning ?? {},
    batchCount: 1,
    initImage: '',
    maskImage: '',
    parentId: generation.id,
    ...passesFromParams(form, params),
    controlUnits: (params.control ?? []).map((u) => ({ kind: u.kind, model: u.model, image: u.image, preprocess: u.preprocess, weight: u.weight, start: u.start, end: u.end })),
    // One picture again: the remixed one.
    bestOf: false,
  };
}

/** The prompt with `<lora:name:1>` appended for a LoRA file (one space before it unless the prompt ends in whitespace). */
export function withLoraTag(prompt: string, lora: Model): string {
  const tag = `<lora:${fileStem(lora.name)}:1>`;
  return prompt === '' || /\s$/u.test(prompt) ? `${prompt}${tag}` : `${prompt} ${tag}`;
}

/** A catalog model's settings (its `usage`), as the models inventory lists them. */
export interface CatalogUsage {
  readonly title: string;
  readonly fileName: string;
  readonly usage: { readonly sampler: Sampler; readonly steps: UsageRange; readonly cfg: UsageRange } | null;
}
interface UsageRange {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/**
 * The settings of a catalog LoRA the prompt tags (`<lora:lcm-lora-sdv1-5:1>` → LCM sampler, 4–8 steps, CFG 1–2) when
 * the form is outside them: what to offer the user, or undefined when the form already fits (or no such LoRA is used).
 */
export function usageToOffer(form: Pick<GenerateForm, 'prompt' | 'sampler' | 'steps' | 'cfg'>, catalog: readonly CatalogUsage[]): { title: string; sampler: Sampler; steps: number; cfg: number; text: string } | undefined {
  const tagged = new Set([...form.prompt.matchAll(/<lora:([^:>]+)/gu)].map((m) => m[1]!.trim()));
  for (const entry of catalog) {
    const { usage } = entry;
    if (usage === null || !tagged.has(fileStem(entry.fileName))) continue;
    const fits = form.sampler === usage.sampler && form.steps >= usage.steps.min && form.steps <= usage.steps.max && form.cfg >= usage.cfg.min && form.cfg <= usage.cfg.max;
    if (fits) return undefined;
    return { title: entry.title, sampler: usage.sampler, steps: usage.steps.default, cfg: usage.cfg.default, text: `${usage.sampler} sampler, ${usage.steps.min}–${usage.steps.max} steps, CFG ${usage.cfg.min}–${usage.cfg.max}` };
  }
  return undefined;
}

/** What a dropped picture's names resolve against: the files and characters the studio has. */
export interface RecallChoices {
  readonly checkpoints: readonly Model[];
  /** Per base: the picture's adapter is looked for among those of its checkpoint's base. */
  readonly adapters: ModelChoices['adapters'];
  readonly loras: readonly Model[];
  readonly vaes: readonly Model[];
  readonly characterIds: readonly string[];
  /** The checkpoint the studio knows by the picture's Model hash (models.findByHash), which wins over its name. */
  readonly checkpointByHash?: string | undefined;
}

/**
 * A dropped picture's settings merged into the form (only what the file states), and what could not be matched to
 * a file or character here. The checkpoint is found by its hash, else by name (A1111's `Model`, the file stem).
 */
export function formFromParameters(form: GenerateForm, imported: RecalledSettings, choices: RecallChoices): { form: GenerateForm; unmatched: string[] } {
  const { params, faceid } = imported;
  const unmatched: string[] = [];
  const byHash = choices.checkpointByHash === undefined ? undefined : choices.checkpoints.find((m) => m.path === choices.checkpointByHash);
  const checkpoint = imported.model === undefined ? undefined : (byHash ?? choices.checkpoints.find((m) => fileStem(m.path) === imported.model!.name));
  if (imported.model !== undefined && checkpoint === undefined) unmatched.push(`model ${imported.model.name || imported.model.hash}`);
  const adapters = choices.adapters[checkpointBase(checkpoint ?? choices.checkpoints.find((m) => m.path === form.model))];
  for (const lora of imported.loras) if (!choices.loras.some((m) => fileStem(m.path) === lora.name)) unmatched.push(`LoRA ${lora.name}`);
  const variant = faceid === undefined ? undefined : (faceid.variant ?? variantOfFile(faceid.adapterName));
  if (faceid !== undefined && (variant === undefined || !adapters.has(variant))) unmatched.push(`FaceID adapter ${faceid.adapterName}`);
  const character = faceid?.characterId !== undefined && choices.characterIds.includes(faceid.characterId) ? faceid.characterId : undefined;
  if (faceid?.characterId !== undefined && character === undefined) unmatched.push('character (not in this library)');
  // A1111 names the SD VAE it used by its file name; a picture without one used the checkpoint's own.
  const vae = imported.vaeName === undefined ? undefined : choices.vaes.find((m) => modelName(m.path) === imported.vaeName || m.name === imported.vaeName);
  if (imported.vaeName !== undefined && vae === undefined) unmatched.push(`VAE ${imported.vaeName}`);
  return {
    form: {
      ...form,
      prompt: params.prompt ?? form.prompt,
      negativePrompt: params.negativePrompt ?? form.negativePrompt,
      presetId: 'builtin:none',
      ...(checkpoint === undefined ? {} : { model: checkpoint.path }),
      ...(character === undefined ? {} : { characterId: character }),
      ...(variant === undefined || !adapters.has(variant) ? {} : { variant }),
      faceWeight: faceid?.faceWeight ?? form.faceWeight,
      structure: faceid?.structure ?? form.structure,
      loraWeight: faceid?.loraWeight ?? form.loraWeight,
      cfg: params.cfg ?? form.cfg,
      steps: params.steps ?? form.steps,
      sampler: params.sampler ?? form.sampler,
      clipSkip: params.clipSkip ?? form.clipSkip,
      vae: vae?.path ?? form.vae,
      draftDecode: params.draftDecode === true,
      seedMode: params.seed === undefined ? form.seedMode : 'fixed',
      seed: params.seed ?? form.seed,
      width: params.width ?? form.width,
      height: params.height ?? form.height,
      strength: imported.denoisingStrength ?? form.strength,
      parentId: '',
      ...passesFromParams(form, params),
    },
    unmatched,
  };
}
