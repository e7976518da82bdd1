// A generation as its A1111 infotext, and back: the one set of keys the engine writes into every PNG, the gallery
// export keeps and a dropped picture is read with. Keys as A1111 writes them (modules/processing.py create_infotext,
// extensions-builtin/Lora lora_hashes, textual_inversion ti_hashes) so A1111 and Civitai read our pictures; the
// FaceID settings under our own `FaceID …` keys, and A1111's sd-webui-controlnet FaceID units read into them.
import { formatA1111Parameters, parseA1111Parameters } from './a1111-parameters.ts';
import { chosenVaeFile, FaceDetailSchema, HIRES_UPSCALERS, type ControlUnitChoice, type FaceDetail, type FaceIdChoice, type FaceIdVariant, type GenerationParams, type GenerationParamsInput, type HiresFix } from './generation.ts';
import { faceIdLoraName, fileStem, modelName } from './model-names.ts';

/** What the infotext says beyond the parameters: facts only the engine knows once the image exists. */
interface InfotextFacts {
  readonly seed: number;
  /** A1111's short model hash: the first 10 hex digits of the checkpoint file's sha256 (none for a diffusers folder). */
  readonly modelHash?: string;
  /** LoRA name (file stem) → A1111's 12-hex LoRA hash. */
  readonly loraHashes?: Readonly<Record<string, string>>;
  /** Embedding name → A1111's 12-hex textual-inversion hash. */
  readonly tiHashes?: Readonly<Record<string, string>>;
  /** True when the prompt and negative prompt were padded to the same number of 75-token chunks. */
  readonly padConds?: boolean;
  readonly version?: string;
}

/** A LoRA named in an infotext: by A1111's rule the file stem, looked up in the LoRA folders. */
export interface RecalledLora {
  readonly name: string;
  readonly weight: number;
  readonly hash?: string;
}

export interface RecalledFaceId {
  /** The adapter's file stem (ours) or the ControlNet unit's model name without its `[hash]`. */
  readonly adapterName: string;
  readonly variant?: FaceIdVariant;
  readonly faceWeight?: number;
  readonly structure?: number;
  readonly loraWeight?: number;
  readonly combine?: FaceIdChoice['combine'];
  readonly characterId?: string;
}

/** A control unit of an infotext: the ControlNet by name (to find among the studio's files) and its settings. */
export interface RecalledControlUnit {
  readonly modelName: string;
  readonly preprocess: ControlUnitChoice['preprocess'];
  readonly weight?: number;
  readonly start?: number;
  readonly end?: number;
  readonly low?: number;
  readonly high?: number;
}

/** Everything an infotext tells; names still to be resolved against the files the studio has. */
export interface RecalledSettings {
  readonly params: Partial<GenerationParamsInput>;
  readonly model?: { readonly name: string; readonly hash?: string };
  /** The prompt's `<lora:…>` tags (they stay in the prompt), with their hashes where the text has them. */
  readonly loras: readonly RecalledLora[];
  readonly faceid?: RecalledFaceId;
  /** The VAE chosen apart from the checkpoint, by name (to find among the studio's files). */
  readonly vaeName?: string;
  /** ControlNet units (their control images are not in the text: the user gives them again). */
  readonly control: readonly RecalledControlUnit[];
  readonly denoisingStrength?: number;
  /** Settings in the text that the studio cannot use, named for the user. */
  readonly unsupported: readonly string[];
}

const LORA_TAG = /\s?<lora:([^:>]+):([^:>]+)(?::[^>]*)?>/gu;

function hashList(hashes: Readonly<Record<string, string>> | undefined): string | undefined {
  const entries = Object.entries(hashes ?? {});
  return entries.length === 0 ? undefined : entries.map(([name, hash]) => `${name}: ${hash}`).join(', ');
}

/** The prompt as A1111 users write it: each LoRA as a `<lora:name:weight>` tag, the FaceID LoRA among them. */
function promptWithLoraTags(params: GenerationParams): string {
  const tagged = new Set([...params.prompt.matchAll(LORA_TAG)].map((m) => m[1]));
  const tags = params.loras.filter((l) => !tagged.has(fileStem(l.file))).map((l) => `<lora:${fileStem(l.file)}:${l.strength}>`);
  if (params.faceid) tags.push(`<lora:${faceIdLoraName(params.faceid.adapter)}:${params.faceid.loraWeight}>`);
  return [params.prompt, ...tags].filter((part) => part !== '').join(' ');
}

function faceIdKeys(faceid: FaceIdChoice | undefined): Record<string, string | number> {
  if (faceid === undefined) return {};
  return {
    'FaceID model': fileStem(faceid.adapter),
    'FaceID weight': faceid.faceWeight,
    'FaceID structure': faceid.structure,
    ...(faceid.combine === 'average' ? {} : { 'FaceID combine': faceid.combine }),
    ...(faceid.characterId === undefined ? {} : { 'FaceID character': faceid.characterId }),
  };
}

/** A1111's hires-fix keys (processing.py StableDiffusionProcessingTxt2Img); `Hires steps` only when set, as A1111. */
function hiresKeys(hires: HiresFix | undefined): Record<string, string | number> {
  if (hires === undefined) return {};
  return { 'Hires upscale': hires.scale, ...(hires.steps > 0 ? { 'Hires steps': hires.steps } : {}), 'Hires upscaler': hires.upscaler };
}

/** The face detail pass under our own keys (the faces chosen as `largest`, `all` or a 0-based index). */
function faceDetailKeys(detail: FaceDetail | undefined): Record<string, string | number> {
  if (detail === undefined) return {};
  return {
    'Face detail': detail.faces,
    'Face detail strength': detail.strength,
    ...(detail.prompt === '' ? {} : { 'Face detail prompt': detail.prompt }),
    ...(detail.seed === undefined ? {} : { 'Face detail seed': detail.seed }),
  };
}

/**
 * The A1111 `parameters` text of one image of a generation.
 *
 * @example generationInfotext(params, { seed: 42, modelHash: '6ce0161689', version: 'FaceID Studio 0.1.0' })
 */
export function generationInfotext(params: GenerationParams, facts: InfotextFacts): string {
  const loraHashes = hashList(facts.loraHashes);
  const tiHashes = hashList(facts.tiHashes);
  return formatA1111Parameters({
    prompt: promptWithLoraTags(params),
    negativePrompt: params.negativePrompt,
    steps: params.steps,
    sampler: params.sampler,
    cfg: params.cfg,
    seed: facts.seed,
    width: params.width,
    height: params.height,
    clipSkip: params.clipSkip,
    model: fileStem(params.model),
    ...(facts.modelHash === undefined ? {} : { modelHash: facts.modelHash }),
    // A1111 writes the hires fix's second-pass strength under the img2img key.
    ...(params.img2img ? { denoisingStrength: params.img2img.strength } : params.hires ? { denoisingStrength: params.hires.denoise } : {}),
    ...(params.inpaint ? { maskBlur: params.inpaint.featherPx } : {}),
    extra: {
      // Our noise is torch's CPU generator; A1111 assumes GPU noise when this line is absent.
      RNG: 'CPU',
      ...(facts.padConds === true ? { 'Pad conds': 'True' } : {}),
      ...(loraHashes === undefined ? {} : { 'Lora hashes': loraHashes }),
      ...(tiHashes === undefined ? {} : { 'TI hashes': tiHashes }),
      ...hiresKeys(params.hires),
      ...faceDetailKeys(params.faceDetail),
      ...faceIdKeys(params.faceid),
      ...controlNetKeys(params.control),
      // A1111 names the SD VAE it used this way (and writes nothing for the checkpoint's own).
      ...(chosenVaeFile(params) ? { VAE: modelName(chosenVaeFile(params)!) } : {}),
      ...(params.draftDecode ? { Decoder: DRAFT_DECODER } : {}),
    },
    ...(facts.version === undefined ? {} : { version: facts.version }),
  });
}

/** Each control unit as sd-webui-controlnet writes it: `ControlNet N: "Module: canny, Model: name, Weight: 1, …"`. */
function controlNetKeys(units: readonly ControlUnitChoice[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (units ?? []).map((unit, i) => [
      `ControlNet ${i}`,
      `Module: ${unit.preprocess}, Model: ${modelName(unit.model)}, Weight: ${unit.weight}, Guidance Start: ${unit.start}, Guidance End: ${unit.end}${unit.preprocess === 'canny' ? `, Threshold A: ${unit.low}, Threshold B: ${unit.high}` : ''}`,
    ]),
  );
}

/** A `ControlNet N` unit that is a control model we run (a Canny or ready-made control image), by model name. */
function recallControlUnit(unit: string): RecalledControlUnit | undefined {
  const fields = new Map(unit.split(/,\s*/u).map((part) => [part.slice(0, part.indexOf(':')).trim(), part.slice(part.indexOf(':') + 1).trim()]));
  const module = fields.get('Module') ?? '';
  const preprocess = module === 'canny' ? 'canny' : module === 'none' ? 'none' : undefined;
  const model = (fields.get('Model') ?? '').replace(/\s*\[[0-9a-f]+\]$/iu, '');
  if (preprocess === undefined || model === '' || model === 'None') return undefined;
  const values = { weight: number(fields.get('Weight')), start: number(fields.get('Guidance Start')), end: number(fields.get('Guidance End')), low: number(fields.get('Threshold A')), high: number(fields.get('Threshold B')) };
  return { modelName: model, preprocess, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) };
}

/** `name: hash, name: hash` (A1111's Lora hashes / TI hashes) as a map. */
function parseHashList(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (text ?? '').split(',')) {
    const colon = part.lastIndexOf(':');
    if (colon > 0) map.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
  }
  return map;
}

const number = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/** sd-webui-controlnet's FaceID preprocessors (annotator names) → our variant; `_plus` is Plus or PlusV2 by model. */
const CONTROLNET_FACEID_MODULES: Readonly<Record<string, (model: string) => FaceIdVariant>> = {
  'ip-adapter_face_id': (model) => (/portrait/iu.test(model) ? 'faceid-portrait' : 'faceid'),
  'ip-adapter_face_id_plus': (model) => (/plus[-_]?v2/iu.test(model) ? 'faceid-plusv2' : 'faceid-plus'),
};

/** A `ControlNet N` unit (sd-webui-controlnet writes `"Module: …, Model: name [hash], Weight: …"`) when it is FaceID. */
function controlNetFaceId(unit: string): RecalledFaceId | undefined {
  const fields = new Map(unit.split(/,\s*/u).map((part) => [part.slice(0, part.indexOf(':')).trim(), part.slice(part.indexOf(':') + 1).trim()]));
  const variantOf = CONTROLNET_FACEID_MODULES[fields.get('Module') ?? ''];
  const model = (fields.get('Model') ?? '').replace(/\s*\[[0-9a-f]+\]$/iu, '');
  if (variantOf === undefined || model === '') return undefined;
  const weight = number(fields.get('Weight'));
  return { adapterName: model, variant: variantOf(model), ...(weight === undefined ? {} : { faceWeight: weight }) };
}

/** Our key for a draft decode (A1111 has none; readers that do not know it ignore it). */
const DRAFT_DECODER = 'TAESD (draft)';

const CORE_KEYS = new Set(['Decoder', 'Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size-1', 'Size-2', 'Model', 'Model hash', 'Denoising strength', 'Clip skip', 'Mask blur', 'Version', 'RNG', 'Pad conds', 'Lora hashes', 'TI hashes', 'VAE', 'VAE hash']);
const HIRES_KEYS = new Set(['Hires upscale', 'Hires steps', 'Hires upscaler']);
const FACE_DETAIL_KEYS = new Set(['Face detail', 'Face detail strength', 'Face detail prompt', 'Face detail seed']);
const FACEID_KEYS = new Set(['FaceID model', 'FaceID weight', 'FaceID structure', 'FaceID combine', 'FaceID character']);

/** The hires fix of an A1111 txt2img infotext (its `Denoising strength` is then the second pass's); unknown upscalers are named. */
function recallHires(raw: Readonly<Record<string, string>>, denoisingStrength: number | undefined, unsupported: string[]): HiresFix | undefined {
  const scale = number(raw['Hires upscale']);
  if (scale === undefined) return undefined;
  const upscalerText = raw['Hires upscaler'] ?? 'Latent';
  const upscaler = HIRES_UPSCALERS.find((u) => u === upscalerText);
  if (upscaler === undefined) unsupported.push(`Hires upscaler: ${upscalerText} (Latent is used)`);
  return { scale, steps: number(raw['Hires steps']) ?? 0, denoise: denoisingStrength ?? 0.7, upscaler: upscaler ?? 'Latent' };
}

/** Our face detail keys back into the pass's settings (what the text does not say takes the defaults). */
function recallFaceDetail(raw: Readonly<Record<string, string>>): FaceDetail | undefined {
  const faces = raw['Face detail'];
  if (faces === undefined) return undefined;
  const parsed = FaceDetailSchema.safeParse({
    faces: /^\d+$/u.test(faces) ? Number(faces) : faces,
    ...(number(raw['Face detail strength']) === undefined ? {} : { strength: number(raw['Face detail strength']) }),
    ...(raw['Face detail prompt'] === undefined ? {} : { prompt: raw['Face detail prompt'] }),
    ...(number(raw['Face detail seed']) === undefined ? {} : { seed: number(raw['Face detail seed']) }),
  });
  return parsed.success ? parsed.data : undefined;
}

/** Reads an infotext (ours, A1111's or one with sd-webui-controlnet FaceID units) into settings to resolve. */
export function recallInfotext(text: string): RecalledSettings {
  const parsed = parseA1111Parameters(text);
  const { raw } = parsed;
  const unsupported: string[] = [];
  let faceid: RecalledFaceId | undefined;
  if (raw['FaceID model'] !== undefined) {
    const combine = raw['FaceID combine'];
    faceid = {
      adapterName: raw['FaceID model'],
      ...(number(raw['FaceID weight']) === undefined ? {} : { faceWeight: number(raw['FaceID weight'])! }),
      ...(number(raw['FaceID structure']) === undefined ? {} : { structure: number(raw['FaceID structure'])! }),
      ...(combine === 'average' || combine === 'concatenate' ? { combine } : {}),
      ...(raw['FaceID character'] === undefined ? {} : { characterId: raw['FaceID character'] }),
    };
  }
  const control: RecalledControlUnit[] = [];
  for (const key of Object.keys(raw)) {
    if (CORE_KEYS.has(key) || FACEID_KEYS.has(key) || HIRES_KEYS.has(key) || FACE_DETAIL_KEYS.has(key)) continue;
    const isUnit = /^ControlNet \d+$/u.test(key);
    const unit = isUnit ? controlNetFaceId(raw[key]!) : undefined;
    const controlUnit = isUnit && unit === undefined ? recallControlUnit(raw[key]!) : undefined;
    if (unit !== undefined && faceid === undefined) faceid = unit;
    else if (controlUnit !== undefined) control.push(controlUnit);
    else unsupported.push(key);
  }
  if (raw.Sampler !== undefined && parsed.params.sampler === undefined) unsupported.push(`Sampler: ${raw.Sampler}${raw['Schedule type'] === undefined ? '' : ` (${raw['Schedule type']})`}`);
  if (raw.RNG !== undefined && raw.RNG !== 'CPU') unsupported.push(`RNG: ${raw.RNG} (this studio makes CPU noise, so the image will differ)`);

  // LoRA tags stay in the prompt, where A1111 users keep them and the studio applies them; the FaceID adapter's own
  // LoRA tag becomes the FaceID LoRA weight instead (the adapter file carries that LoRA).
  const hashes = parseHashList(raw['Lora hashes']);
  const loras: RecalledLora[] = [];
  let prompt = parsed.prompt;
  for (const [tag, name, weightText] of parsed.prompt.matchAll(LORA_TAG)) {
    const weight = number(weightText) ?? 1;
    if (faceid !== undefined && (name === `${faceid.adapterName}_lora` || /faceid.*_lora$/iu.test(name!))) {
      faceid = { ...faceid, loraWeight: weight };
      prompt = prompt.replace(tag, '');
      continue;
    }
    const hash = hashes.get(name!);
    loras.push({ name: name!, weight, ...(hash === undefined ? {} : { hash }) });
  }
  const hires = recallHires(raw, parsed.denoisingStrength, unsupported);
  const faceDetail = recallFaceDetail(raw);
  const model = raw.Model ?? raw['Model hash'];
  return {
    params: { ...parsed.params, prompt, ...(hires ? { hires } : {}), ...(faceDetail ? { faceDetail } : {}), ...(raw['Decoder'] === DRAFT_DECODER ? { draftDecode: true } : {}) },
    ...(model === undefined ? {} : { model: { name: raw.Model ?? '', ...(raw['Model hash'] === undefined ? {} : { hash: raw['Model hash'] }) } }),
    loras,
    ...(faceid === undefined ? {} : { faceid }),
    ...(raw['VAE'] === undefined ? {} : { vaeName: raw['VAE'] }),
    control,
    ...(parsed.denoisingStrength === undefined || hires ? {} : { denoisingStrength: parsed.denoisingStrength }),
    unsupported,
  };
}
