// Which model files the Generate page offers: checkpoints with their base, and FaceID adapters per base by variant.
// What the model manager identified by content (kind, base) decides; where it could not tell, a file's name does, the
// way ComfyUI/A1111 folders name them. Content cannot tell Plus from Plus v2 (same tensors), so the variant is the name's.
import type { FaceIdVariant } from '../../../src-preload/contract/generation.ts';
import { variantOfFile } from '../../../src-preload/contract/model-names.ts';
import type { Model, ModelBase } from '../../../src-preload/contract/models.ts';

export const VARIANT_LABELS: Record<FaceIdVariant, string> = {
  faceid: 'FaceID',
  'faceid-plus': 'FaceID Plus',
  'faceid-plusv2': 'FaceID Plus v2',
  'faceid-portrait': 'FaceID Portrait',
};

export const VARIANT_HELP: Record<FaceIdVariant, string> = {
  faceid: 'Face identity only (ArcFace embedding): flexible styles, looser likeness.',
  'faceid-plus': 'Identity plus face structure from CLIP: closer likeness.',
  'faceid-plusv2': 'Like Plus, with a Structure slider to trade likeness for style freedom.',
  'faceid-portrait': 'Several reference photos at once, made for portraits.',
};

export const BASE_LABELS: Record<ModelBase, string> = { sd15: 'SD1.5', sdxl: 'SDXL' };

// sd_xl_base_1.0, juggernautXL_v9, ip-adapter-faceid_sdxl.bin: "xl" not followed by a letter ("xla…" is no SDXL).
const SDXL_NAME = /sd[-_ ]?xl|xl(?![a-z])/i;

/** The base the scan identified; for a file it could not, SDXL when the name says so, else SD1.5 (the common case). */
export function baseOf(model: Pick<Model, 'name' | 'base'>): ModelBase {
  return model.base ?? (SDXL_NAME.test(model.name) ? 'sdxl' : 'sd15');
}

const NOT_CHECKPOINT = /lora|faceid|ip[-_]?adapter|image[-_]?encoder|clip[-_]?vision|arcface|scrfd|antelope|buffalo|glintr|w600k|det_/i;

export interface ModelChoices {
  checkpoints: Model[];
  /** The first FaceID adapter file of each variant, per base: a checkpoint can use only adapters of its own base. */
  adapters: Record<ModelBase, Map<FaceIdVariant, Model>>;
  /** LoRA files other than FaceID's paired ones, which `<lora:name:weight>` tags name by file stem. */
  loras: Model[];
  /** ControlNets and T2I-Adapters identified by content (a control unit runs either). */
  controlModels: Model[];
  /** VAE files and folders identified by content (SD1.5's and SDXL's share one layout: the user picks). */
  vaes: Model[];
}

export function modelChoices(models: readonly Model[]): ModelChoices {
  const checkpoints: Model[] = [];
  const adapters: ModelChoices['adapters'] = { sd15: new Map(), sdxl: new Map() };
  const loras: Model[] = [];
  const controlModels: Model[] = [];
  const vaes: Model[] = [];
  for (const model of models) {
    if (model.kind === 'controlnet' || model.kind === 't2i-adapter') {
      controlModels.push(model);
      continue;
    }
    if (model.kind === 'vae') {
      vaes.push(model);
      continue;
    }
    if (model.kind === 'lora' && variantOfFile(model.name) === undefined) {
      loras.push(model);
      continue;
    }
    const variant = model.kind === 'ip-adapter' || model.kind === 'unidentified' ? variantOfFile(model.name) : undefined;
    if (variant !== undefined && !model.name.toLowerCase().includes('lora')) {
      const forBase = adapters[baseOf(model)];
      if (!forBase.has(variant)) forBase.set(variant, model);
    } else if (model.kind === 'checkpoint' || (model.kind === 'unidentified' && /\.(safetensors|ckpt)$/i.test(model.name) && !NOT_CHECKPOINT.test(model.name))) {
      checkpoints.push(model);
    }
  }
  return { checkpoints, adapters, loras, controlModels, vaes };
}

/** The listed checkpoint at this path, if any (a stored form may name one that has since gone). */
export function findCheckpoint(choices: ModelChoices | undefined, modelPath: string): Model | undefined {
  return choices?.checkpoints.find((m) => m.path === modelPath);
}

/** The base a checkpoint choice stands for; with none chosen, SD1.5 (the form's defaults are SD1.5's). */
export function checkpointBase(checkpoint: Model | undefined): ModelBase {
  return checkpoint === undefined ? 'sd15' : baseOf(checkpoint);
}
