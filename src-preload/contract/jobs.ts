// Generation jobs: what was asked, where it stands, and how it ended.
import { z } from 'zod';
import { IdSchema, TimestampSchema } from './characters.ts';
import { FailureSchema } from './errors.ts';
import { GenerationParamsSchema, JobStateSchema } from './generation.ts';

/** What a running job waits for before its first step: building its graphs (first use of a model with these
 *  adapters and LoRAs) or opening a graph's onnxruntime session (after a start, or when the memory budget released it). */
export const JOB_STAGES = ['compiling', 'loading'] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export const JobSchema = z.object({
  id: IdSchema,
  state: JobStateSchema,
  params: GenerationParamsSchema,
  characterId: IdSchema.nullable(),
  /** The generation this job remixes or inpaints, if any. */
  parentId: IdSchema.nullable(),
  step: z.number().int().nonnegative(),
  totalSteps: z.number().int().nonnegative(),
  error: FailureSchema.nullable(),
  /** What the user should know about how the job went (a pass skipped, an original kept, images discarded). */
  notes: z.array(z.string()),
  createdAt: TimestampSchema,
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const jobsMethods = {
  list: {
    request: z.object({ states: z.array(JobStateSchema).optional(), limit: z.number().int().min(1).max(1000).default(200) }),
    response: z.object({ jobs: z.array(JobSchema) }),
  },
  get: { request: z.object({ id: IdSchema }), response: JobSchema },
  /** Queues a generation; the engine takes queued jobs in order. */
  enqueue: {
    request: z.object({ params: GenerationParamsSchema, characterId: IdSchema.optional(), parentId: IdSchema.optional() }),
    response: JobSchema,
  },
  cancel: { request: z.object({ id: IdSchema }), response: JobSchema },
  /** Wiring: queues an ended job (failed, cancelled, interrupted or done) again, as a new job with the same settings. */
  retry: { request: z.object({ id: IdSchema }), response: JobSchema },
} as const;
