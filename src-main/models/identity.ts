// What a model file IS, decided from its content (tensor names and shapes, ONNX inputs/outputs),
// never from its name. The scan stores one of these per file; readiness matches them to features.
import { z } from 'zod';
import { FaceIdVariantSchema, ModelBaseSchema, ModelKindSchema, type ModelBase } from './catalog-schema.ts';
import { baseLabel } from '../engine/models/architectures.ts';

export const ModelIdentitySchema = z.object({
  /** 'other' = a recognised model file the studio does not use directly (a VAE, a ControlNet, a diffusers part). */
  kind: z.union([ModelKindSchema, z.literal('other')]),
  base: ModelBaseSchema.nullable(),
  variant: FaceIdVariantSchema.optional(),
  /** Variants with exactly the same tensors (Plus v1 vs v2, Portrait vs v11): content cannot tell them apart. */
  alsoPossible: z.array(FaceIdVariantSchema).optional(),
  /** An IP-Adapter whose file carries its LoRA (the FaceID .bin files do): no separate LoRA needed. */
  hasEmbeddedLora: z.boolean().optional(),
  /** A LoRA on exactly the attention projections FaceID trains (to_q/to_k/to_v/to_out of every attention). */
  isFaceIdLora: z.boolean().optional(),
  /** Full-size (real) weights, as opposed to a tiny test model with the same topology. */
  isFullSize: z.boolean(),
  /** One line for people: "SD1.5 checkpoint (LDM single file)", "SCRFD face detector (ONNX)". */
  summary: z.string(),
});
export type ModelIdentity = z.infer<typeof ModelIdentitySchema>;

/** TAESD and TAESDXL decoders have the same shapes: the base is not in the content (previews pick by file name). */
export function taesdIdentity(layout: string, channels: number | undefined): ModelIdentity {
  const isFullSize = channels === 64;
  return { kind: 'taesd', base: null, isFullSize, summary: `TAESD preview decoder (${layout} layout)${isFullSize ? '' : ', tiny test model'}` };
}

/** The first adapter width of the full-size SD1.5 and SDXL T2I-Adapters (full_adapter and full_adapter_xl: 320). */
const FULL_T2I_WIDTH = 320;

/** A T2I-Adapter by what its tensors say: base, naming and its first width (320 in the real files). */
export function t2iIdentity(base: ModelBase | null, layout: string, width: string | number | undefined): ModelIdentity {
  const isFullSize = width === FULL_T2I_WIDTH;
  const family = base === null ? '' : baseLabel(base);
  return { kind: 't2i-adapter', base, isFullSize, summary: `${family} T2I-Adapter (${layout} layout)${isFullSize ? '' : ', tiny test model'}`.trim() };
}

/** Reads a file's content and says what it is; null when it is not a model file the studio knows. */
export type Identify = (file: string) => Promise<ModelIdentity | null>;
