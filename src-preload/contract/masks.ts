// Inpaint masks painted in the editor: stored in the library (masks/ab/<sha256>.png) so the engine can read them.
import { z } from 'zod';
import { MediaPathSchema } from './characters.ts';

export const masksMethods = {
  /** Stores a mask PNG (white = repaint, black = keep); the same mask twice is stored once. */
  save: {
    request: z.object({ dataBase64: z.string().min(1).max(64 * 1024 * 1024) }),
    response: z.object({ image: MediaPathSchema, width: z.number().int().positive(), height: z.number().int().positive() }),
  },
} as const;
