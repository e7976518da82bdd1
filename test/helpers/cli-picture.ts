// One `faceid generate` run into out/<name> for tests: the first PNG it wrote, its pixels and its parameters text.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readPngTexts } from '../../src-preload/contract/png-text.ts';
import { runCli } from './run-cli.ts';

export async function cliPicture(work: string, name: string, args: readonly string[]): Promise<{ pixels: Buffer; parameters: string }> {
  const out = path.join(work, name);
  const result = await runCli([...args, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const png = readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.png'))!));
  return { pixels: await sharp(png).raw().toBuffer(), parameters: readPngTexts(png).parameters ?? '' };
}
