// The one list of error codes, and the wire shape of a failure. Imports only zod.
// Each room appends its codes in its own section; a code is `room.reason`.
import { z } from 'zod';

export const ERROR_CODES = [
  // generic
  'internal',
  'cancelled',
  'invalid-request',
  'unauthorized',
  'not-found',
  // checkpoint files (engine/io)
  'checkpoint.not-found',
  'checkpoint.unreadable',
  'checkpoint.truncated',
  'checkpoint.bad-header',
  'checkpoint.bad-tensor',
  'checkpoint.unsupported-format',
  'checkpoint.unsafe',
  'checkpoint.unsupported-architecture',
  'checkpoint.legacy-pytorch',
  'checkpoint.bad-zip',
  'checkpoint.bad-pickle',
  'checkpoint.incomplete',
  'checkpoint.wrong-kind',
  'checkpoint.lora-mismatch',
  // graph compiler (engine/graph, engine/models)
  'compile.missing-tensor',
  'compile.wrong-shape',
  'compile.wrong-base',
  'compile.lora-unmatched',
  'compile.cache-unwritable',
  'compile.config-needed',
  'compile.unsupported-model',
  // runtime (engine/pipeline, schedulers, jobs)
  'generate.invalid-parameter',
  'generate.model-missing',
  'generate.runtime-failed',
  'generate.unsupported-scheduler',
  'generate.unsupported-model',
  'generate.image-size-mismatch',
  'generate.job-not-found',
  'generate.engine-stopped',
  // face analysis (engine/face)
  'face.none-found',
  'face.model-missing',
  'face.model-unsupported',
  'face.index-out-of-range',
  'face.no-references',
  // images brought by the user
  'image.unsupported-format',
  'image.corrupt',
  'image.too-large',
  'image.empty',
  'image.not-found',
  // library
  'library.duplicate',
  'library.not-found',
  'library.busy',
  'library.too-new',
  'library.unopenable',
  // studio host
  'host.port-in-use',
  // model manager
  'model.download-failed',
  'model.checksum-mismatch',
  'model.no-space',
  'model.catalog-invalid',
  'model.unknown-id',
  'model.source-not-found',
  'model.source-unauthorized',
  'model.source-unavailable',
  'model.licence-not-acknowledged',
  'model.hidden-by-commercial-clean',
  'model.secret-store-insecure',
  'model.gpu-runtime-unsupported',
  'model.install-folder-read-only',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** What crosses IPC or the host when a call fails: never a thrown error. */
export const FailureSchema = z.object({
  code: ErrorCodeSchema,
  userMessage: z.string(),
  hint: z.string().optional(),
  logId: z.string().optional(),
});
export type Failure = z.infer<typeof FailureSchema>;

/** Every call answers `{ ok: true, value }` or `{ ok: false, error }`. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: FailureSchema }),
  ]);
}
