// Model files the studio can use. The model manager identifies each file by content; until it has, a file is `unidentified`.
import { z } from 'zod';

export const MODEL_KINDS = ['checkpoint', 'ip-adapter', 'lora', 'image-encoder', 'face-detector', 'face-recognizer', 'unidentified'] as const;
export const ModelKindSchema = z.enum(MODEL_KINDS);

export const ModelSchema = z.object({
  /** The absolute path of the file or diffusers folder; also how a generation names its model. */
  path: z.string().min(1),
  name: z.string(),
  kind: ModelKindSchema,
  sizeBytes: z.number().int().nonnegative(),
  /** The folder root it was found under (the studio's own models folder or a user root). */
  root: z.string(),
});
export type Model = z.infer<typeof ModelSchema>;

export const modelsMethods = {
  list: { request: z.object({}), response: z.object({ models: z.array(ModelSchema) }) },
} as const;
