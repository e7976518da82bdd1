// Events main pushes to the renderer: job progress and library changes. Payloads are parsed like responses.
import { z } from 'zod';
import { AppCommandSchema } from './commands.ts';
import { IdSchema, MediaPathSchema } from './characters.ts';
import { GENERATION_PASSES } from './generation.ts';
import { GenerationSchema } from './generations.ts';
import { FailureSchema } from './errors.ts';
import { JOB_STAGES, JobSchema } from './jobs.ts';
import { DOWNLOAD_STATES } from './models.ts';

export const studioEvents = {
  /** A menu item or shortcut of the desktop app asks the window to do something (Electron only). */
  'app.command': z.object({ command: AppCommandSchema }),
  /** A job changed state (queued, started, finished, failed, cancelled, interrupted). */
  'job.updated': z.object({ job: JobSchema }),
  /** A running job is compiling its model or opening one of its graphs (`detail` names which, for the user). */
  'job.stage': z.object({ jobId: IdSchema, stage: z.enum(JOB_STAGES), detail: z.string() }),
  /** One denoising step done. */
  'job.progress': z.object({
    jobId: IdSchema,
    step: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    stepsPerSecond: z.number().nonnegative(),
    etaMs: z.number().nonnegative(),
    /** Which pass of the image the steps belong to (first pass, hires fix, face detail). */
    pass: z.enum(GENERATION_PASSES).optional(),
    /** A best-of-N job: the image being made (1-based) of how many. */
    image: z.object({ index: z.number().int().positive(), of: z.number().int().positive() }).optional(),
  }),
  /** A cheap preview of the current latents. */
  'job.preview': z.object({ jobId: IdSchema, step: z.number().int().nonnegative(), image: MediaPathSchema }),
  'generation.created': z.object({ generation: GenerationSchema }),
  /** Wiring: a model download moved on (progress) or changed state; `error` when it failed. */
  'models.download': z.object({
    id: z.string(),
    state: z.enum(DOWNLOAD_STATES),
    receivedBytes: z.number().nonnegative().optional(),
    totalBytes: z.number().nonnegative().nullable().optional(),
    bytesPerSecond: z.number().nonnegative().optional(),
    etaSeconds: z.number().nonnegative().nullable().optional(),
    error: FailureSchema.optional(),
  }),
  /** Characters or their references changed; views showing them reload. */
  'characters.changed': z.object({ characterId: IdSchema.nullable() }),
} as const;

export type StudioEventName = keyof typeof studioEvents;
export type StudioEventPayload<E extends StudioEventName> = z.infer<(typeof studioEvents)[E]>;

export const STUDIO_EVENT_NAMES = Object.keys(studioEvents) as StudioEventName[];

/** The envelope every transport (IPC channel, WebSocket message) carries an event in. */
export interface StudioEventEnvelope {
  event: StudioEventName;
  /** Checked against studioEvents[event] by the sender (main) and again by the renderer's client. */
  payload: unknown;
}
