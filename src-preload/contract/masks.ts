// Inpaint masks painted in the editor: stored in the library (masks/ab/<sha256>.png) so the engine can read them.
import { z } from 'zod';
import { MediaPathSchema } from './characters.ts';

export const masksMethods = {
  /** Stores a mask PNG (white = repaint, black = keep); the same mask twice is stored once. */
  save: {
    request: z.object({ dataBase64: z.string().min(1).max(64 * 1024 * 1024) }),
    response: z.object({ image: MediaPathSchema, width: z.number().int().positive(), height: z.number().int().positive() }),
  },
  /** Face boxes in a library image (for "mask the face"), found with the insightface detector in the models folder. */
  faceBoxes: {
    request: z.object({ image: MediaPathSchema }),
    response: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      /** [x1, y1, x2, y2] in image pixels, most confident first. */
      faces: z.array(z.object({ box: z.tuple([z.number(), z.number(), z.number(), z.number()]), score: z.number() })),
    }),
  },
} as const;
