// Control images for ControlNet units: a picture the user chose or dropped, stored in the library, and the map the
// ControlNet will see after its preprocessor (shown before a run, so thresholds can be tried).
import { z } from 'zod';
import { MediaPathSchema } from './characters.ts';
import { ControlPreprocessorSchema } from './generation.ts';

export const controlMethods = {
  /** Stores a control picture (PNG, JPEG, WebP…; decoded safely, stored as PNG); the same picture twice is stored once. */
  saveImage: {
    request: z.object({ fileName: z.string().max(512), dataBase64: z.string().min(1).max(64 * 1024 * 1024) }),
    response: z.object({ image: MediaPathSchema, width: z.number().int().positive(), height: z.number().int().positive() }),
  },
  /** The map a ControlNet sees for a stored picture at the generation's size (Canny edges, or the picture as is). */
  preview: {
    request: z.object({
      image: MediaPathSchema,
      preprocess: ControlPreprocessorSchema,
      width: z.number().int().min(64).max(2048),
      height: z.number().int().min(64).max(2048),
      low: z.number().min(0).max(1020).default(100),
      high: z.number().min(0).max(1020).default(200),
    }),
    response: z.object({ map: MediaPathSchema }),
  },
} as const;
