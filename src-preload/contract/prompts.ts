// Prompt helpers the Generate page needs from main: the CLIP token count, in A1111's 75-token chunks.
import { z } from 'zod';

export const promptsMethods = {
  tokenCount: {
    request: z.object({
      text: z.string().max(20_000),
      /** The chosen model: its tokenizer/ folder is used when it has one, else the tokenizer the app ships. */
      model: z.string().optional(),
    }),
    response: z.object({
      /** Prompt tokens as A1111 counts them (75 per full chunk). */
      tokens: z.number().int().nonnegative(),
      /** 75-token chunks the prompt takes (at least 1). */
      chunks: z.number().int().positive(),
    }),
  },
} as const;
