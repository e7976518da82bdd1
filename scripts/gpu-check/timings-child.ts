// One timing for `npm run gpu-check`, in a process of its own (the GPU's memory is given back when it exits): a
// full-size random-weight checkpoint (bench/generate-weights.ts) compiled in fp32 or fp16 compute, then the UNet step
// (CFG batch 2), the text encoder(s) and the VAE decode at one size, on one execution provider — never falling back
// to the CPU unnoticed. The last stdout line is the result as JSON.
//   node scripts/gpu-check/timings-child.ts sd15|sdxl <size> fp32|fp16 <provider> <cache folder>
import path from 'node:path';
import { timeTextEncoder, timeUnet, timeVaeDecode, type Timing } from '../../bench/engine-bench.ts';
import { ensureBenchWeights } from '../../bench/generate-weights.ts';
import { compileModel } from '../../src-main/engine/models/compile.ts';
import { SessionPool } from '../../src-main/engine/onnx/session-pool.ts';
import { fixture } from '../../test/helpers/fixtures.ts';

export interface TimingResult {
  readonly base: 'sd15' | 'sdxl';
  readonly size: number;
  readonly compute: 'fp32' | 'fp16';
  readonly provider: string;
  readonly compileSeconds: number;
  /** Median seconds of one UNet evaluation on a CFG batch of 2, and the first session's opening time. */
  readonly unetStep: { seconds: number; times: readonly number[]; openSeconds: number };
  readonly textEncoders: readonly { seconds: number; openSeconds: number }[];
  readonly vaeDecode: { seconds: number; openSeconds: number };
}

const [base, sizeText, compute, provider, cacheRoot] = process.argv.slice(2);
if ((base !== 'sd15' && base !== 'sdxl') || !sizeText || (compute !== 'fp32' && compute !== 'fp16') || !provider || !cacheRoot) {
  console.error('usage: node scripts/gpu-check/timings-child.ts sd15|sdxl <size> fp32|fp16 <provider> <cache folder>');
  process.exit(2);
}
const size = Number(sizeText);
const log = (line: string) => console.error(`[timings ${base} ${size}² ${compute}] ${line}`);
const weights = ensureBenchWeights(path.join(cacheRoot, 'weights'), fixture('manifests'), log, base);
const compileStarted = performance.now();
const compiled = await compileModel(weights.checkpoint, { cacheDir: path.join(cacheRoot, 'compiled'), ...(compute === 'fp16' ? { compute: 'fp16' as const } : {}) });
const compileSeconds = (performance.now() - compileStarted) / 1000;
log(`compiled in ${compileSeconds.toFixed(1)} s`);

const pool = new SessionPool({ memoryBudgetBytes: 2 ** 50, preferredProviders: provider === 'cpu' ? [] : [provider], log });
/**
 * Opens through the pool (returning the seconds it took) and refuses a silent fallback: a GPU timing that ran on the
 * CPU would be a lie.
 */
async function onProvider(modelPath: string): Promise<number> {
  const started = performance.now();
  const pooled = await pool.get(modelPath);
  if (pooled.provider !== provider) {
    const reason = pool.providers().find((p) => p.provider === provider)?.reason ?? 'unknown';
    throw new Error(`${path.basename(modelPath)} opened on ${pooled.provider}, not ${provider}: ${reason}`);
  }
  return (performance.now() - started) / 1000;
}
const summary = (t: Timing, openSeconds: number) => ({ seconds: t.seconds, openSeconds });

const unetOpen = await onProvider(compiled.unet.path);
const unet = await timeUnet(pool, compiled, size, 5);
log(`UNet step ${unet.seconds.toFixed(3)} s (open ${unetOpen.toFixed(1)} s)`);
const textEncoders = [];
for (let i = 0; i < compiled.textEncoders.length; i++) {
  const open = await onProvider(compiled.textEncoders[i]!.path);
  textEncoders.push(summary(await timeTextEncoder(pool, compiled, 3, i), open));
}
const vaeOpen = await onProvider(compiled.vaeDecoder.path);
const vae = await timeVaeDecode(pool, compiled, size, 2);
log(`VAE decode ${vae.seconds.toFixed(3)} s`);
await pool.releaseAll();

const result: TimingResult = { base, size, compute, provider, compileSeconds, unetStep: { seconds: unet.seconds, times: unet.times, openSeconds: unetOpen }, textEncoders, vaeDecode: summary(vae, vaeOpen) };
console.log(JSON.stringify(result));
