// What a `faceid` subcommand is: a name, one line of help, and a run function that returns an exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StudioError } from '../base/errors.ts';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Fires on Ctrl+C: long commands stop at the next unit of work. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** parseArgs with a usage error a user can act on instead of a stack trace. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(command: Pick<CliCommand, 'name' | 'usage'>, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new StudioError('invalid-request', {
      userMessage: (cause as Error).message,
      hint: `Usage: ${command.usage}`,
      cause,
    });
  }
}

/** A numeric option's value (undefined when not given); `invalid` makes the error that names the option group's usage. */
export function numberOption(values: Readonly<Record<string, unknown>>, name: string, invalid: (userMessage: string) => StudioError): number | undefined {
  const value = values[name] as string | undefined;
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw invalid(`--${name} must be a number, got "${value}".`);
  return n;
}
