// Generated images in the library: every parameter kept, with the columns the gallery filters on.
import { z } from 'zod';
import { IdSchema, MediaPathSchema, TimestampSchema } from './characters.ts';
import { GenerationParamsSchema } from './generation.ts';

export const GenerationSchema = z.object({
  id: IdSchema,
  jobId: IdSchema.nullable(),
  characterId: IdSchema.nullable(),
  parentId: IdSchema.nullable(),
  params: GenerationParamsSchema,
  model: z.string(),
  seed: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  image: MediaPathSchema,
  favorite: z.boolean(),
  /** Cosine similarity of the result's face to the character's embedding; null when not measured. */
  identityScore: z.number().nullable(),
  /** A best-of-N job's ranking by identity score (1 = most like the character); `kept` false for a rejected one kept on request. */
  ranking: z.object({ rank: z.number().int().positive(), of: z.number().int().positive(), kept: z.boolean() }).nullable(),
  createdAt: TimestampSchema,
});
export type Generation = z.infer<typeof GenerationSchema>;

export const GENERATION_SORTS = ['newest', 'oldest', 'identity'] as const;

export const GenerationFilterSchema = z.object({
  characterId: IdSchema.optional(),
  model: z.string().optional(),
  favoriteOnly: z.boolean().default(false),
  createdAfter: TimestampSchema.optional(),
  createdBefore: TimestampSchema.optional(),
  sort: z.enum(GENERATION_SORTS).default('newest'),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type GenerationFilter = z.infer<typeof GenerationFilterSchema>;

export const generationsMethods = {
  list: {
    request: GenerationFilterSchema,
    response: z.object({ generations: z.array(GenerationSchema), total: z.number().int().nonnegative() }),
  },
  get: { request: z.object({ id: IdSchema }), response: GenerationSchema },
  setFavorite: { request: z.object({ id: IdSchema, favorite: z.boolean() }), response: GenerationSchema },
  delete: {
    request: z.object({ ids: z.array(IdSchema).min(1).max(1000) }),
    response: z.object({ deleted: z.number().int().nonnegative() }),
  },
  /** The generation as ComfyUI workflows (stock nodes + ComfyUI_IPAdapter_plus): `prompt` (API format), `workflow` (UI). */
  comfyWorkflow: {
    request: z.object({ id: IdSchema }),
    response: z.object({
      prompt: z.record(z.string(), z.object({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()) })),
      workflow: z.record(z.string(), z.unknown()),
      /** Where ComfyUI cannot make exactly the same picture, in words for the user. */
      notes: z.array(z.string()),
    }),
  },
} as const;
