// The queue's order: queued jobs run in this order, which the user can change.
import { z } from 'zod';
import { IdSchema } from './characters.ts';
import { JobSchema } from './jobs.ts';

export const queueMethods = {
  /** Queued jobs in the order they will run, then the running one and recent finished ones. */
  list: {
    request: z.object({ recentLimit: z.number().int().min(0).max(500).default(50) }),
    response: z.object({ running: z.array(JobSchema), queued: z.array(JobSchema), recent: z.array(JobSchema) }),
  },
  /** Moves a queued job just before another queued job, or to the end when `beforeId` is absent. */
  move: {
    request: z.object({ id: IdSchema, beforeId: IdSchema.optional() }),
    response: z.object({ queued: z.array(JobSchema) }),
  },
} as const;
