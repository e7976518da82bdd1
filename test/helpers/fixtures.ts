// Where the shared reference fixtures live: FACEID_FIXTURES, else ../shared/fixtures beside the checkout.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const fixturesRoot = path.resolve(process.env.FACEID_FIXTURES ?? path.join(repoRoot, '../shared/fixtures'));

/** Absolute path of a file under the fixtures folder; throws a clear error if the folder is missing. */
export function fixture(...parts: string[]): string {
  if (!existsSync(fixturesRoot)) {
    throw new Error(`Reference fixtures not found at ${fixturesRoot}: set FACEID_FIXTURES or clone the repo beside shared/.`);
  }
  return path.join(fixturesRoot, ...parts);
}
