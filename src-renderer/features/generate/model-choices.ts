// Which model files the Generate page offers: checkpoints, and FaceID adapters by variant. Until the model manager
// identifies files by content (kind), a file's name decides, the way ComfyUI/A1111 folders name them.
import type { FaceIdVariant } from '../../../src-preload/contract/generation.ts';
import { variantOfFile } from '../../../src-preload/contract/model-names.ts';
import type { Model } from '../../../src-preload/contract/models.ts';

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

const NOT_CHECKPOINT = /lora|faceid|ip[-_]?adapter|image[-_]?encoder|clip[-_]?vision|arcface|scrfd|antelope|buffalo|glintr|w600k|det_/i;

export interface ModelChoices {
  checkpoints: Model[];
  adapters: Map<FaceIdVariant, Model>;
  /** LoRA files other than FaceID's paired ones, which `<lora:name:weight>` tags name by file stem. */
  loras: Model[];
}

export function modelChoices(models: readonly Model[]): ModelChoices {
  const checkpoints: Model[] = [];
  const adapters = new Map<FaceIdVariant, Model>();
  const loras: Model[] = [];
  for (const model of models) {
    if (model.kind === 'lora' && variantOfFile(model.name) === undefined) {
      loras.push(model);
      continue;
    }
    const variant = model.kind === 'ip-adapter' || model.kind === 'unidentified' ? variantOfFile(model.name) : undefined;
    if (variant !== undefined && !model.name.toLowerCase().includes('lora')) {
      if (!adapters.has(variant)) adapters.set(variant, model);
    } else if (model.kind === 'checkpoint' || (model.kind === 'unidentified' && /\.(safetensors|ckpt)$/i.test(model.name) && !NOT_CHECKPOINT.test(model.name))) {
      checkpoints.push(model);
    }
  }
  return { checkpoints, adapters, loras };
}
