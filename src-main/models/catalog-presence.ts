// Whether a catalog entry is already on this machine: downloaded to its catalog location, or found by the scan in
// one of the user's model roots (a ComfyUI or A1111 folder) — then the Models page says where instead of offering
// a second copy. Content says what a file is; it cannot tell two fine-tunes of one base apart, so a checkpoint found
// elsewhere counts only under its catalog file name, while the other kinds (each catalog entry is the one file of its
// kind, base and variant) also count renamed, when their size agrees with the catalog's.
import path from 'node:path';
import type { CatalogEntry } from './catalog-schema.ts';
import type { ScannedFile } from './scan.ts';

/** Published sizes are rounded ("96.7 MB"): within this fraction counts as the same file. */
const SIZE_TOLERANCE = 0.02;

export type CatalogPresence = { readonly path: string; readonly how: 'downloaded' | 'found' } | null;

function sameFileName(file: ScannedFile, entry: CatalogEntry): boolean {
  return path.basename(file.path).toLowerCase() === entry.fileName.toLowerCase();
}

function sameModel(file: ScannedFile, entry: CatalogEntry): boolean {
  const identity = file.identity;
  if (!identity || !identity.isFullSize || identity.kind !== entry.kind) return false;
  if (entry.base !== null && identity.base !== entry.base) return false;
  if (entry.variant !== undefined && identity.variant !== entry.variant && !(identity.alsoPossible ?? []).includes(entry.variant)) return false;
  if (entry.kind === 'checkpoint') return sameFileName(file, entry);
  const sizeAgrees = entry.sizeExact ? file.sizeBytes === entry.sizeBytes : Math.abs(file.sizeBytes - entry.sizeBytes) <= SIZE_TOLERANCE * entry.sizeBytes;
  return sizeAgrees || sameFileName(file, entry);
}

export function catalogPresence(entry: CatalogEntry, destination: string, destinationExists: boolean, scanned: readonly ScannedFile[]): CatalogPresence {
  if (destinationExists) return { path: destination, how: 'downloaded' };
  const found = scanned.find((file) => path.resolve(file.path) !== path.resolve(destination) && sameModel(file, entry));
  return found ? { path: found.path, how: 'found' } : null;
}
