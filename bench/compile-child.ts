// Compiles the bench checkpoint twice (plain, and with the FaceID adapter + its LoRA) in its own process, so the
// compiler's peak RSS is measured alone: `node bench/compile-child.ts <checkpoint> <adapter> <cacheDir>` prints JSON.
import { compileModel } from '../src-main/engine/models/compile.ts';
import { peakRssBytes } from './peak-rss.ts';

export interface CompileChildResult {
  readonly plain: { readonly seconds: number; readonly diskBytes: number; readonly notices: readonly string[] };
  readonly faceid: { readonly seconds: number; readonly diskBytes: number; readonly notices: readonly string[] };
  readonly maxRssBytes: number;
}

const [checkpoint, adapter, cacheDir] = process.argv.slice(2);
if (!checkpoint || !adapter || !cacheDir) {
  console.error('usage: node bench/compile-child.ts <checkpoint> <adapter> <cacheDir>');
  process.exit(2);
}
const plain = await compileModel(checkpoint, { cacheDir });
const faceid = await compileModel(checkpoint, { cacheDir, adapter });
if (plain.fromCache || faceid.fromCache) throw new Error('the bench compiles into a fresh cache folder; found a cached compilation');
const result: CompileChildResult = {
  plain: { seconds: plain.compileSeconds, diskBytes: plain.diskBytes, notices: plain.notices },
  faceid: { seconds: faceid.compileSeconds, diskBytes: faceid.diskBytes, notices: faceid.notices },
  maxRssBytes: peakRssBytes(),
};
console.log(JSON.stringify(result));
