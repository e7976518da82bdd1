// Model files the studio can use. The model manager identifies each file by content; until it has, a file is `unidentified`.
import { z } from 'zod';
import { SamplerSchema } from './generation.ts';

export const MODEL_KINDS = ['checkpoint', 'ip-adapter', 'lora', 'image-encoder', 'face-detector', 'face-recognizer', 'controlnet', 't2i-adapter', 'taesd', 'pose-detector', 'pose-estimator', 'depth-estimator', 'embedding', 'vae', 'unidentified'] as const;
export const ModelKindSchema = z.enum(MODEL_KINDS);
/** The Stable Diffusion family a checkpoint is, or a FaceID adapter / LoRA is made for. */
export const MODEL_BASES = ['sd15', 'sdxl'] as const;
export const ModelBaseSchema = z.enum(MODEL_BASES);
export type ModelBase = z.infer<typeof ModelBaseSchema>;

export const ModelSchema = z.object({
  /** The absolute path of the file or diffusers folder; also how a generation names its model. */
  path: z.string().min(1),
  name: z.string(),
  kind: ModelKindSchema,
  /** What the scan identified; null when it could not tell (or the file is not identified). */
  base: ModelBaseSchema.nullable(),
  /** False for a tiny test model with a real model's layout; null when the file is not identified. */
  isFullSize: z.boolean().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  /** The folder root it was found under (the studio's own models folder or a user root). */
  root: z.string(),
});
export type Model = z.infer<typeof ModelSchema>;

export const modelsMethods = {
  list: { request: z.object({}), response: z.object({ models: z.array(ModelSchema) }) },
  /**
   * The checkpoint with this A1111 `Model hash` (first 10 hex digits of its sha256) among the files the studio has
   * already hashed (every checkpoint it generated with); null when none is known.
   */
  findByHash: { request: z.object({ hash: z.string().regex(/^[0-9a-f]{10}$/iu, 'a Model hash is 10 hex digits') }), response: z.object({ path: z.string().nullable() }) },
} as const;


// Wiring: the model manager's view — readiness per feature (what is there, what is missing and how to get it),
// downloads with progress events, the research-licence acknowledgement, commercial-clean mode and the self-test.
const PieceActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('download'), catalogId: z.string(), sizeBytes: z.number().nonnegative(), nonCommercial: z.boolean() }),
  z.object({ type: z.literal('locate'), hint: z.string() }),
  z.object({ type: z.literal('explain'), text: z.string() }),
]);

export const FeatureReadinessSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['ready', 'missing', 'hidden']),
  nonCommercial: z.boolean(),
  needsAcknowledgement: z.boolean(),
  pieces: z.array(z.object({ role: z.string(), description: z.string(), foundAt: z.string().nullable(), foundSummary: z.string().nullable(), action: PieceActionSchema.nullable() })),
  hiddenReason: z.string().nullable(),
});

export const ModelsReadinessSchema = z.object({
  features: z.array(FeatureReadinessSchema),
  commercialClean: z.boolean(),
  nonCommercialAcknowledged: z.boolean(),
  summary: z.string(),
});
export type ModelsReadiness = z.infer<typeof ModelsReadinessSchema>;

export const SelftestReportSchema = z.object({
  passed: z.boolean(),
  complete: z.boolean(),
  steps: z.array(z.object({ name: z.string(), status: z.enum(['passed', 'failed', 'not-run']), detail: z.string(), durationMs: z.number().nonnegative() })),
  durationMs: z.number().nonnegative(),
});
export type SelftestReport = z.infer<typeof SelftestReportSchema>;

// Models UI: the catalog with licences, what the scan identified in each folder, and which execution providers work.
const UsageRangeSchema = z.object({ min: z.number(), max: z.number(), default: z.number() });

export const CatalogItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  base: ModelBaseSchema.nullable(),
  variant: z.string().nullable(),
  sizeBytes: z.number().nonnegative(),
  licence: z.object({ name: z.string(), url: z.string(), nonCommercial: z.boolean(), note: z.string().nullable() }),
  dependencies: z.array(z.string()),
  recommended: z.boolean(),
  /** The download is checked against a published sha256. */
  sha256Pinned: z.boolean(),
  /** The settings the model is made for (LCM-LoRA: LCM sampler, 4–8 steps, CFG 1–2), offered where it is used. */
  usage: z.object({ sampler: SamplerSchema, steps: UsageRangeSchema, cfg: UsageRangeSchema }).nullable(),
  /** The name it is saved under in its folder (how a LoRA tag names it). */
  fileName: z.string(),
  /** Where the catalog file already lies (its catalog location, or a file the scan found in a model root), or null. */
  installedAt: z.string().nullable(),
  /** 'downloaded': at its catalog location; 'found': the same model found in one of the model roots. */
  installedHow: z.enum(['downloaded', 'found']).nullable(),
});

export const FoundModelSchema = z.object({
  path: z.string(),
  root: z.string(),
  sizeBytes: z.number().nonnegative(),
  /** Null: a file the studio does not recognise as a model it uses. */
  kind: z.string().nullable(),
  base: ModelBaseSchema.nullable(),
  variant: z.string().nullable(),
  summary: z.string(),
  isFullSize: z.boolean(),
});

export const ModelsInventorySchema = z.object({
  catalog: z.array(CatalogItemSchema),
  found: z.array(FoundModelSchema),
  roots: z.array(z.object({ path: z.string(), layout: z.string(), error: z.string().nullable() })),
});
export type ModelsInventory = z.infer<typeof ModelsInventorySchema>;

export const ExecutionProviderStatusSchema = z.object({ name: z.string(), bundled: z.boolean(), works: z.boolean(), detail: z.string().nullable() });

/** The NVIDIA GPU runtime (onnxruntime's CUDA provider, downloaded from NuGet): whether it can be used, is missing or installed. */
export const GpuRuntimeStatusSchema = z.object({
  /** The id its `models.download` events carry. */
  id: z.string(),
  title: z.string(),
  state: z.enum(['unsupported', 'missing', 'installed']),
  detail: z.string(),
});
export type GpuRuntimeStatus = z.infer<typeof GpuRuntimeStatusSchema>;

export const DOWNLOAD_STATES = ['progress', 'started', 'finished', 'paused', 'cancelled', 'failed'] as const;

export const modelManagerMethods = {
  /** Readiness of every feature after scanning the models folder and the user's model roots (`rescan` forces a new scan). */
  readiness: { request: z.object({ rescan: z.boolean().default(false) }), response: ModelsReadinessSchema },
  /** Starts downloading a catalog entry (and what it needs); progress comes as `models.download` events. */
  download: { request: z.object({ id: z.string().min(1) }), response: z.object({ started: z.literal(true) }) },
  /** Pauses (keeps what arrived; download again resumes) or cancels (deletes the partial file) a download. */
  stopDownload: { request: z.object({ id: z.string().min(1), keepPartial: z.boolean().default(true) }), response: z.object({ stopped: z.literal(true) }) },
  acknowledgeNonCommercial: { request: z.object({}), response: ModelsReadinessSchema },
  setCommercialClean: { request: z.object({ on: z.boolean() }), response: ModelsReadinessSchema },
  /** Runs the offline self-test (tiny models made here): install checks and the whole FaceID pipeline. */
  selftest: { request: z.object({}), response: SelftestReportSchema },
  /** The catalog (with licences) and what the last scan identified in each folder (`rescan` forces a new scan). */
  inventory: { request: z.object({ rescan: z.boolean().default(false) }), response: ModelsInventorySchema },
  /** Each execution provider the installed onnxruntime lists, tried on a one-node model here (probed once per run). */
  providers: { request: z.object({}), response: z.object({ providers: z.array(ExecutionProviderStatusSchema) }) },
  gpuRuntime: { request: z.object({}), response: GpuRuntimeStatusSchema },
  /** Starts the NVIDIA GPU runtime's download (verified, unpacked beside onnxruntime); `models.download` events under its id. */
  installGpuRuntime: { request: z.object({}), response: z.object({ started: z.literal(true) }) },
} as const;

/** Every models method: the file list and the model manager's. */
export const allModelsMethods = { ...modelsMethods, ...modelManagerMethods } as const;
