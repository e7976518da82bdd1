// One VAE decode of a `size`² image through the engine's VAE runner (engine/pipeline/ort-runners.ts: tiled above
// 1024², pipeline/tiled-decode.ts), in a process of its own so its peak RSS is the decode's alone (plus the opened
// decoder session): `node bench/vae-decode-child.ts <compiled model dir> <size>` prints JSON.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledModel } from '../src-main/engine/models/compile.ts';
import { SessionPool } from '../src-main/engine/onnx/session-pool.ts';
import { createOrtRunners } from '../src-main/engine/pipeline/ort-runners.ts';
import { DEFAULT_TILING, tileStarts } from '../src-main/engine/pipeline/tiled-decode.ts';
import { peakRssBytes } from './peak-rss.ts';

export interface VaeDecodeChildResult {
  readonly seconds: number;
  /** Tiles decoded (1 = untiled). */
  readonly tiles: number;
  readonly maxRssBytes: number;
  /** Peak RSS once the session was open, before the decode. */
  readonly openRssBytes: number;
}

const [compiledDir, sizeText] = process.argv.slice(2);
if (!compiledDir || !sizeText) {
  console.error('usage: node bench/vae-decode-child.ts <compiled model dir> <size>');
  process.exit(2);
}
const compiled = JSON.parse(await readFile(path.join(compiledDir, 'manifest.json'), 'utf8')) as CompiledModel;
const side = Number(sizeText) / 8;
const pool = new SessionPool({ memoryBudgetBytes: 64 * 2 ** 30, preferredProviders: [] });
// Only the VAE is used: the runners are made without text encoders.
const runners = createOrtRunners(pool, { ...compiled, textEncoders: [] }, { textEncoders: [] });
await pool.get(compiled.vaeDecoder.path);
const openRssBytes = peakRssBytes();
// Smooth latent values in the range real latents have (÷ the scaling factor, as the pipeline divides them).
const latent = new Float32Array(4 * side * side);
for (let c = 0; c < 4; c++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) latent[c * side * side + y * side + x] = Math.sin(0.11 * x + c) * Math.cos(0.07 * y - c) / 0.18215;
const started = performance.now();
const image = await runners.vae.decode(latent, side, side);
const seconds = (performance.now() - started) / 1000;
if (image.length !== 3 * side * 8 * side * 8 || !image.every(Number.isFinite)) throw new Error('the decode produced no finite image of the size asked');
const tiled = side * side > DEFAULT_TILING.aboveLatentPixels;
const tiles = tiled ? tileStarts(side, DEFAULT_TILING.tile, DEFAULT_TILING.overlap).length ** 2 : 1;
await pool.releaseAll();
const result: VaeDecodeChildResult = { seconds, tiles, maxRssBytes: peakRssBytes(), openRssBytes };
console.log(JSON.stringify(result));
