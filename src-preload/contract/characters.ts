// Characters and their reference photos: the identities a person builds once and reuses in every generation.
import { z } from 'zod';

export const IdSchema = z.string().min(1, 'an id is required').max(64);
/** Milliseconds since the epoch, as stored in the library. */
export const TimestampSchema = z.number().int().nonnegative();

/** A path under the library folder that a transport turns into a URL (see media.ts). */
export const MediaPathSchema = z.string().min(1);

export const CharacterNameSchema = z
  .string()
  .trim()
  .min(1, 'A character needs a name.')
  .max(100, 'A character name can be at most 100 characters long.');

export const CharacterSchema = z.object({
  id: IdSchema,
  name: z.string(),
  notes: z.string(),
  coverReferenceId: IdSchema.nullable(),
  /** Thumbnail of the cover reference (or of the first reference when no cover is set). */
  coverThumbnail: MediaPathSchema.nullable(),
  referenceCount: z.number().int().nonnegative(),
  generationCount: z.number().int().nonnegative(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Character = z.infer<typeof CharacterSchema>;

export const ReferenceSchema = z.object({
  id: IdSchema,
  characterId: IdSchema,
  /** Content address: the sha256 of the original bytes, in hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  fileName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Size after EXIF orientation is applied, i.e. as a person sees the photo. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  original: MediaPathSchema,
  thumbnail: MediaPathSchema,
  /** Faces found by the face analysis; null until it has run. */
  faceCount: z.number().int().nonnegative().nullable(),
  createdAt: TimestampSchema,
});
export type Reference = z.infer<typeof ReferenceSchema>;

export const CharacterDetailSchema = z.object({
  character: CharacterSchema,
  references: z.array(ReferenceSchema),
});
export type CharacterDetail = z.infer<typeof CharacterDetailSchema>;

/** The largest photo the studio accepts, before decoding (bytes). */
export const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;

/** Wiring: where a reference photo's face analysis stands, with what the user can do about it. */
export const FACE_ANALYSIS_STATES = ['analysed', 'face-models-missing', 'failed'] as const;
export const ReferenceFacesSchema = z.object({
  state: z.enum(FACE_ANALYSIS_STATES),
  /** Faces found, highest detection score first; box is [x, y, width, height] in pixels of the upright photo. */
  faces: z.array(z.object({ index: z.number().int().nonnegative(), box: z.tuple([z.number(), z.number(), z.number(), z.number()]), score: z.number() })),
  /** The face FaceID and the identity use; null = the largest one. */
  chosenFace: z.number().int().nonnegative().nullable(),
  /** Shown when the state is not `analysed`: what is wrong and what to do (e.g. get the face models in Models). */
  message: z.string().optional(),
  hint: z.string().optional(),
});
export type ReferenceFaces = z.infer<typeof ReferenceFacesSchema>;

/** Wiring: the character's identity indicator: how many photos give it a face. */
export const CharacterIdentitySchema = z.object({
  state: z.enum(['ready', 'no-faces', 'face-models-missing']),
  referenceCount: z.number().int().nonnegative(),
  /** Photos whose chosen face is part of the identity embedding. */
  facesUsed: z.number().int().nonnegative(),
  message: z.string().optional(),
  hint: z.string().optional(),
});
export type CharacterIdentity = z.infer<typeof CharacterIdentitySchema>;

export const charactersMethods = {
  identity: { request: z.object({ id: IdSchema }), response: CharacterIdentitySchema },
  list: { request: z.object({}), response: z.object({ characters: z.array(CharacterSchema) }) },
  get: { request: z.object({ id: IdSchema }), response: CharacterDetailSchema },
  create: {
    request: z.object({ name: CharacterNameSchema, notes: z.string().max(10_000).default('') }),
    response: CharacterSchema,
  },
  update: {
    request: z.object({
      id: IdSchema,
      name: CharacterNameSchema.optional(),
      notes: z.string().max(10_000).optional(),
      coverReferenceId: IdSchema.nullable().optional(),
    }),
    response: CharacterSchema,
  },
  delete: {
    request: z.object({
      id: IdSchema,
      /** Keep the character's generated images in the gallery (unlinked from it), or delete them too. */
      keepGeneratedImages: z.boolean(),
    }),
    response: z.object({ deletedGenerations: z.number().int().nonnegative() }),
  },
} as const;

export const referencesMethods = {
  list: { request: z.object({ characterId: IdSchema }), response: z.object({ references: z.array(ReferenceSchema) }) },
  add: {
    request: z.object({
      characterId: IdSchema,
      fileName: z.string().min(1).max(255),
      /** The photo's bytes, base64-encoded so every transport carries them as JSON. */
      dataBase64: z
        .base64('The photo data is not valid base64.')
        .max(Math.ceil(MAX_REFERENCE_BYTES / 3) * 4, `A photo can be at most ${MAX_REFERENCE_BYTES / 1024 / 1024} MB.`),
    }),
    response: ReferenceSchema,
  },
  remove: { request: z.object({ id: IdSchema }), response: z.object({ removed: z.literal(true) }) },
  /** The faces found in a photo (analysed now if it was not yet and the face models are installed). */
  faces: { request: z.object({ id: IdSchema }), response: ReferenceFacesSchema },
  /** Picks the face to use in a photo with several people; null goes back to the largest one. */
  chooseFace: { request: z.object({ id: IdSchema, faceIndex: z.number().int().nonnegative().nullable() }), response: ReferenceFacesSchema },
} as const;
