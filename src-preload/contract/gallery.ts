// The gallery's view of generations: keyset pages (stable and fast at any depth), filters and what they can be set to.
import { z } from 'zod';
import { IdSchema, TimestampSchema } from './characters.ts';
import { GENERATION_SORTS, GenerationSchema } from './generations.ts';

/** Where the previous page ended; opaque to the renderer (the library encodes the sort key and row). */
export const GalleryCursorSchema = z.string().min(1).max(200);

export const GalleryQuerySchema = z.object({
  characterId: IdSchema.optional(),
  model: z.string().optional(),
  /** The FaceID adapter file (it decides the variant); '' means generations made without FaceID. */
  adapter: z.string().optional(),
  favoriteOnly: z.boolean().default(false),
  createdAfter: TimestampSchema.optional(),
  createdBefore: TimestampSchema.optional(),
  sort: z.enum(GENERATION_SORTS).default('newest'),
  /** Continue after this cursor (keyset); without it the page starts at `offset`. */
  after: GalleryCursorSchema.optional(),
  /** For a jump (the scrollbar dragged far): rows to skip. Ignored when `after` is given. */
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(500).default(120),
  /** Counting every match costs a scan; a page after the first can skip it. */
  withTotal: z.boolean().default(true),
});
export type GalleryQuery = z.infer<typeof GalleryQuerySchema>;

export const GalleryPageSchema = z.object({
  generations: z.array(GenerationSchema),
  /** Null when `withTotal` was false. */
  total: z.number().int().nonnegative().nullable(),
  /** Null after the last page. */
  nextCursor: GalleryCursorSchema.nullable(),
});
export type GalleryPage = z.infer<typeof GalleryPageSchema>;

export const galleryMethods = {
  page: { request: GalleryQuerySchema, response: GalleryPageSchema },
  /** The values the filters offer: models and adapters that occur in the library. */
  facets: {
    request: z.object({}),
    response: z.object({ models: z.array(z.string()), adapters: z.array(z.string()) }),
  },
} as const;
