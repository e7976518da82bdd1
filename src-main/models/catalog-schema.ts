// The shape of catalog.json: every model the studio can fetch, where from, how big, how it is checked,
// under which licence, and what else it needs. Validated on load so a bad edit fails loudly in tests.
import { z } from 'zod';
import { SamplerSchema } from '../../src-preload/contract/generation.ts';

export const MODEL_KINDS = [
  'checkpoint',
  'ip-adapter',
  'lora',
  'image-encoder',
  'face-detector',
  'face-recognizer',
  'tokenizer-vocab',
  'tokenizer-merges',
  'controlnet',
  't2i-adapter',
  'taesd',
  'pose-detector',
  'pose-estimator',
  'depth-estimator',
  'embedding',
  'vae',
] as const;
export const ModelKindSchema = z.enum(MODEL_KINDS);
export type ModelKind = z.infer<typeof ModelKindSchema>;

export const ModelBaseSchema = z.enum(['sd15', 'sdxl']);
export type ModelBase = z.infer<typeof ModelBaseSchema>;

/** The IP-Adapter FaceID variants of spec §5 (v1 Plus kept: it is still downloaded and used). */
export const FACEID_VARIANTS = ['faceid', 'faceid-plus', 'faceid-plusv2', 'portrait', 'portrait-v11', 'portrait-unnorm'] as const;
export const FaceIdVariantSchema = z.enum(FACEID_VARIANTS);
export type FaceIdVariant = z.infer<typeof FaceIdVariantSchema>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lower-case hex digits');
const catalogId = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'ids are lower-case words joined by - or .');

export const LicenceSchema = z.object({
  name: z.string().min(1),
  url: z.url(),
  /** Research / non-commercial only: shown with a badge, needs a one-time acknowledgement, hidden in commercial-clean mode. */
  nonCommercial: z.boolean(),
  note: z.string().optional(),
});
export type Licence = z.infer<typeof LicenceSchema>;

export const SourceSchema = z.object({
  url: z.url(),
  /** The file is one member of a zip archive (InsightFace ships buffalo_l only as a zip). */
  archiveMember: z.string().min(1).optional(),
  /** Hugging Face repositories may be gated: send the user's token there, and only there. */
  host: z.enum(['huggingface', 'github']),
});
export type Source = z.infer<typeof SourceSchema>;

const rangeWithDefault = z.object({ min: z.number().positive(), max: z.number().positive(), default: z.number().positive() }).refine((r) => r.min <= r.default && r.default <= r.max, { message: 'a range needs min ≤ default ≤ max' });

/** The settings a model is made for (LCM-LoRA: the LCM sampler, few steps, low CFG), offered where it is used. */
export const ModelUsageSchema = z.object({ sampler: SamplerSchema, steps: rangeWithDefault, cfg: rangeWithDefault });
export type ModelUsage = z.infer<typeof ModelUsageSchema>;

export const CatalogEntrySchema = z
  .object({
    id: catalogId,
    title: z.string().min(1),
    kind: ModelKindSchema,
    /** Which Stable Diffusion family it belongs to or works with; null for base-independent parts (face models, tokenizer). */
    base: ModelBaseSchema.nullable(),
    /** For ip-adapter entries, and for the LoRA paired with one. */
    variant: FaceIdVariantSchema.optional(),
    /** Folder inside the studio's models folder (ComfyUI names, so ComfyUI can share it) and the file name there. */
    folder: z.string().regex(/^[A-Za-z0-9_./-]+$/).refine((f) => !f.split('/').includes('..'), 'no .. in folders'),
    fileName: z.string().regex(/^[A-Za-z0-9_.+-]+$/),
    source: SourceSchema,
    sizeBytes: z.number().int().positive(),
    /** False when only a rounded size was published ("96.7 MB"): used for space checks and progress, not for verification. */
    sizeExact: z.boolean(),
    /** Only a value somebody published; null = unverified (the hash is recorded after the first download). */
    sha256: sha256Hex.nullable(),
    sha256Source: z.string().optional(),
    licence: LicenceSchema,
    /** Ids this entry cannot work without (a FaceID variant pulls its LoRA, image encoder and face models). */
    dependencies: z.array(catalogId),
    recommended: z.boolean().optional(),
    usage: ModelUsageSchema.optional(),
    note: z.string().optional(),
  })
  .refine((e) => e.sha256 === null || e.sha256Source !== undefined, { message: 'a published sha256 must name where it was published (sha256Source)' })
  .refine((e) => (e.kind === 'ip-adapter' ? e.variant !== undefined && e.base !== null : true), { message: 'an ip-adapter entry needs a variant and a base' })
  .refine((e) => !e.dependencies.includes(e.id), { message: 'an entry cannot depend on itself' });
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const CatalogSchema = z.object({
  schemaVersion: z.literal(1),
  entries: z.array(CatalogEntrySchema).min(1),
});
export type Catalog = z.infer<typeof CatalogSchema>;
