// Which CLIP tokenizer folder a model is tokenized with: the first place that has one, else the copy shipped with
// the app (the same openai/CLIP files), so a single-file checkpoint never waits on a tokenizer download.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundledTokenizerFolder } from '../../base/bundled-assets.ts';

/** A CLIP tokenizer folder holds vocab.json and merges.txt (a diffusers model's tokenizer/ layout). */
export function isTokenizerFolder(folder: string): boolean {
  return existsSync(path.join(folder, 'vocab.json')) && existsSync(path.join(folder, 'merges.txt'));
}

/** The first candidate that is a tokenizer folder, in order of preference; the shipped one when none is. */
export function clipTokenizerFolder(candidates: ReadonlyArray<string | undefined>): string {
  return candidates.find((folder): folder is string => folder !== undefined && isTokenizerFolder(folder)) ?? bundledTokenizerFolder;
}
