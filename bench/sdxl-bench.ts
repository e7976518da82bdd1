// The SDXL figures of `npm run bench` on a full-size random-weight SDXL fp16 single file made from the real key list
// (fixtures/manifests/sdxl_ldm.json) and the SDXL FaceID adapter: compile time and disk, one UNet step at 1024² with
// CFG next to the MatMul peak measured just before it, both text encoders, VAE decode at 1024², and the peak RSS of a
// 1024² txt2img in fast and compact weights (a child process each, run before this process opens any session). Not run with --quick (minutes of work and 7 GB).
import path from 'node:path';
import { compileModel } from '../src-main/engine/models/compile.ts';
import { fixture } from '../test/helpers/fixtures.ts';
import { compileInChild, timeTextEncoder, timeUnet, timeVaeDecode, unetInputShapes, weightsModeInChild, type TimedSessionPool } from './engine-bench.ts';
import { countGraphFlops } from './flops.ts';
import { ensureBenchWeights } from './generate-weights.ts';
import { measured, type Figure, type FigureId } from './results.ts';

const MB = 1e6;
const SIZE = 1024;

export interface SdxlBenchContext {
  readonly cacheRoot: string;
  readonly pool: TimedSessionPool;
  readonly figures: Partial<Record<FigureId, Figure>>;
  readonly attempt: (ids: readonly FigureId[], what: string, measure: () => Promise<void>) => Promise<void>;
  readonly log: (line: string) => void;
  /** Measures the MatMul peak as the SD1.5 figures do (pushed onto `paired`), so the fractions compare. */
  readonly pairedPeak: (paired: number[]) => Promise<void>;
}

export async function benchSdxl({ cacheRoot, pool, figures, attempt, log, pairedPeak }: SdxlBenchContext): Promise<void> {
  const weights = ensureBenchWeights(cacheRoot, fixture('manifests'), log, 'sdxl');
  const compileDir = path.join(cacheRoot, `compiled-sdxl-${process.pid}`);
  await attempt(['sdxl.compile.seconds', 'sdxl.compile.faceid_seconds', 'sdxl.compile.extra_disk', 'sdxl.compile.peak_rss'], 'SDXL: compiling (child process, fresh cache folder)', async () => {
    const child = compileInChild(weights.checkpoint, weights.adapter, compileDir);
    figures['sdxl.compile.seconds'] = measured(child.plain.seconds, 's', { repeats: 1, note: `${(weights.checkpointBytes / MB).toFixed(0)} MB fp16 single file` });
    figures['sdxl.compile.faceid_seconds'] = measured(child.faceid.seconds, 's', { repeats: 1 });
    const notices = [...child.plain.notices, ...child.faceid.notices];
    figures['sdxl.compile.extra_disk'] = measured((child.plain.diskBytes + child.faceid.diskBytes) / MB, 'MB', { note: notices.length > 0 ? `weights copied: ${notices[0]}` : 'graphs only; weights hard-linked' });
    figures['sdxl.compile.peak_rss'] = measured(child.maxRssBytes / MB, 'MB');
  });
  // The children first, while this process holds no session: their peak RSS is then each mode's alone.
  await attempt(['sdxl.weights.fast.peak_rss', 'sdxl.weights.compact.peak_rss'], `SDXL: fast vs compact weights, txt2img ${SIZE}², 1 step, in a child each`, async () => {
    for (const mode of ['compact', 'fast'] as const) {
      const result = weightsModeInChild(mode, { checkpoint: weights.checkpoint, cacheDir: compileDir, tokenizerDir: fixture('sd15-tiny', 'tokenizer'), steps: 1, size: SIZE });
      figures[`sdxl.weights.${mode}.peak_rss`] = measured(result.maxRssBytes / MB, 'MB', { note: `two images; first ${result.firstImageSeconds.toFixed(0)} s, warm ${result.warmImageSeconds.toFixed(0)} s` });
    }
  });
  const compiled = await compileModel(weights.checkpoint, { cacheDir: compileDir }).catch(() => undefined);
  await attempt(['sdxl.unet.1024.flops', 'sdxl.unet.1024.step', 'sdxl.unet.1024.peak_fraction'], `SDXL: UNet ${SIZE}² CFG×2, one step`, async () => {
    if (!compiled) throw new Error('the SDXL model did not compile');
    const flops = countGraphFlops(compiled.unet.path, unetInputShapes(compiled, SIZE));
    figures['sdxl.unet.1024.flops'] = measured(flops.matrixFlops / 1e9, 'GFLOP');
    const peaks: number[] = [];
    const timing = await timeUnet(pool, compiled, SIZE, 1, () => pairedPeak(peaks));
    figures['sdxl.unet.1024.step'] = measured(timing.seconds, 's/step', { repeats: timing.repeats, note: 'batch 2 (CFG), fp32 CPU, after 1 warm-up' });
    if (peaks.length === 1) figures['sdxl.unet.1024.peak_fraction'] = measured((100 * flops.matrixFlops) / timing.seconds / 1e9 / peaks[0]!, '%', { note: `MatMul peak just before: ${peaks[0]!.toFixed(0)} GFLOP/s` });
    await pool.releaseAll();
  });
  await attempt(['sdxl.text_encoders.seconds', 'sdxl.vae.decode.1024'], `SDXL: text encoders and VAE decode ${SIZE}²`, async () => {
    if (!compiled) throw new Error('the SDXL model did not compile');
    const encoders = await Promise.all(compiled.textEncoders.map(async (_, i) => (await timeTextEncoder(pool, compiled, 3, i)).seconds));
    figures['sdxl.text_encoders.seconds'] = measured(encoders.reduce((a, b) => a + b, 0), 's', { repeats: 3, note: encoders.map((s) => `${s.toFixed(2)} s`).join(' + ') });
    figures['sdxl.vae.decode.1024'] = measured((await timeVaeDecode(pool, compiled, SIZE, 1)).seconds, 's', { repeats: 1, note: 'fp32' });
    await pool.releaseAll();
  });
}
