// One entry for every transport: finds the method, parses the request against the contract, runs the handler and
// answers `{ ok: true, value }` or `{ ok: false, error }`. Nothing thrown crosses a transport.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { methodDefinition, type Result } from '../../src-preload/contract/index.ts';
import { StudioError, toFailure } from '../base/errors.ts';
import { explainDatabaseError } from '../library/db.ts';
import type { StudioHandlers } from './handlers/handler-types.ts';

export type Dispatch = (method: string, request: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Where unexpected errors are logged, with the log id the user sees. */
  logError?: (logId: string, method: string, error: unknown) => void;
}

export function createDispatch(handlers: StudioHandlers, options: DispatchOptions = {}): Dispatch {
  const logError = options.logError ?? ((logId, method, error) => console.error(`[${logId}] ${method} failed:`, error));
  return async (method, rawRequest) => {
    try {
      const definition = methodDefinition(method);
      const [namespace = '', name = ''] = method.split('.');
      if (definition === undefined) {
        throw new StudioError('not-found', { userMessage: `The studio has no method "${method}".`, hint: 'The renderer and the studio may be different versions; restart the studio.' });
      }
      const parsed = definition.request.safeParse(rawRequest ?? {});
      if (!parsed.success) throw invalidRequest(method, parsed.error);
      const handler = (handlers as unknown as Record<string, Record<string, (request: unknown) => unknown>>)[namespace]?.[name];
      if (handler === undefined) throw new StudioError('not-found', { userMessage: `The studio has no handler for "${method}".` });
      // Parsing the answer too drops anything the contract does not name and catches a handler that broke it.
      const value = definition.response.parse(await handler(parsed.data));
      return { ok: true, value };
    } catch (error) {
      const failure = toFailure(explainDatabaseError(error), () => randomBytes(4).toString('hex'));
      if (failure.logId !== undefined) logError(failure.logId, method, error);
      return { ok: false, error: failure };
    }
  };
}

function invalidRequest(method: string, error: z.ZodError): StudioError {
  const problems = error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return new StudioError('invalid-request', { userMessage: problems.join('; '), hint: `The request to ${method} was refused; nothing was changed.` });
}
