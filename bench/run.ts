// `npm run bench` (full: 256² and 512², more repeats) and `npm run bench -- --quick` (256² only, fewer repeats):
// every figure of the benchmarks issue in one run, printed as a table and written to bench/results.json with the
// machine's description and each figure's repeat count. Ratios (fraction of peak, overhead) use figures of this
// run only. A figure whose engine part fails is recorded as n/a with the reason, and the run goes on.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchFace } from '../src-main/engine/face/bench-face.ts';
import { benchCheckpointIndexing } from '../src-main/engine/io/bench-indexing.ts';
import { compileModel, type CompiledModel } from '../src-main/engine/models/compile.ts';
import { ModelLoader } from '../src-main/engine/pipeline/model-loader.ts';
import { runSelftest } from '../src-main/models/selftest/run-selftest.ts';
import { facePhotoPng, faceModelsFolder } from '../test/helpers/face-fixtures.ts';
import { fixture } from '../test/helpers/fixtures.ts';
import { compileInChild, vaeDecodeInChild, eventLoopLagDuringJob, weightsModeInChild, idleEventLoopLag, TimedSessionPool, timeTextEncoder, timeTxt2img, timeUnet, timeVaeDecode, timeVaeEncode, unetInputShapes } from './engine-bench.ts';
import { countGraphFlops } from './flops.ts';
import { ensureBenchWeights } from './generate-weights.ts';
import { peakRssBytes } from './peak-rss.ts';
import { benchGallery, spread } from './gallery-bench.ts';
import { benchLibrary } from './library-bench.ts';
import { describeMachine } from './machine.ts';
import { benchFaceDetail } from './face-detail-bench.ts';
import { benchControlNet } from './controlnet-bench.ts';
import { benchTaesd } from './taesd-bench.ts';
import { benchSideBySide } from './side-by-side.ts';
import { benchSdxl } from './sdxl-bench.ts';
import { compareAttention } from './attention-bench.ts';
import { formatShape, MatMulMeter, PEAK_SHAPES, UNET_LIKE_SHAPES } from './matmul-peak.ts';
import { completeFigures, evaluateTargets, FIGURES, formatTable, formatTargets, measured, median, notAvailable, RESULTS_SCHEMA_VERSION, ResultsSchema, type Figure, type FigureId, type Results } from './results.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
// stable-diffusion.cpp's CLI binary to measure beside ours (`--sdcpp PATH`); the bench builds nothing.
const sdcppAt = process.argv.indexOf('--sdcpp');
const sdcpp = sdcppAt >= 0 ? process.argv[sdcppAt + 1] : undefined;
const TXT2IMG_STEPS = 4;
const plan = quick
  ? { sizes: [256], indexRepeats: 3, peakRepeats: 3, unetRepeats: 2, smallRepeats: 2, faceRepeats: 3, libraryRows: 100_000, libraryQueries: 200, galleryRepeats: 3 }
  : { sizes: [256, 512], indexRepeats: 5, peakRepeats: 5, unetRepeats: 3, smallRepeats: 5, faceRepeats: 10, libraryRows: 100_000, libraryQueries: 1000, galleryRepeats: 6 };
const SKIPPED_IN_QUICK = 'not run with --quick (256² only)';

// A steadier heap figure for indexing: gc() between measurements (as `node --expose-gc` would allow).
setFlagsFromString('--expose-gc');
(globalThis as { gc?: () => void }).gc ??= runInNewContext('gc') as () => void;

const startedAt = new Date();
const started = performance.now();
const log = (line: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const figures: Partial<Record<FigureId, Figure>> = {};
const MB = 1e6;

/** Runs one measurement; if it throws, its figures become n/a with the error as reason. */
async function attempt(ids: readonly FigureId[], what: string, measure: () => Promise<void>): Promise<void> {
  log(what);
  try {
    await measure();
  } catch (error) {
    const reason = `${what} failed: ${(error as Error).message.split('\n')[0]}`;
    log(reason);
    for (const id of ids) figures[id] ??= notAvailable(reason);
  }
}

const machine = describeMachine();
log(`${quick ? 'quick' : 'full'} run on ${machine.cpuModel}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB, node ${machine.node}, onnxruntime ${machine.onnxruntime}, load ${machine.loadAverageAtStart.toFixed(1)}`);
const cacheRoot = path.join(here, 'cache');
const weights = ensureBenchWeights(cacheRoot, fixture('manifests'), log);
const compileDir = path.join(cacheRoot, `compiled-run-${process.pid}`);

await attempt(['indexing.seconds', 'indexing.heap'], 'indexing the checkpoint', async () => {
  const runs = [];
  for (let i = 0; i < plan.indexRepeats; i++) runs.push(await benchCheckpointIndexing(weights.checkpoint));
  figures['indexing.seconds'] = measured(median(runs.map((r) => r.seconds)), 's', { repeats: runs.length, note: `${runs[0]!.tensors} tensors, ${(weights.checkpointBytes / MB).toFixed(0)} MB file` });
  figures['indexing.heap'] = measured(median(runs.map((r) => r.heapDeltaBytes)) / MB, 'MB', { repeats: runs.length, note: 'heap growth while the index is alive' });
});

let plain: CompiledModel | undefined;
let faceid: CompiledModel | undefined;
await attempt(['compile.seconds', 'compile.faceid_seconds', 'compile.extra_disk', 'compile.peak_rss'], 'compiling (child process, fresh cache folder)', async () => {
  const child = compileInChild(weights.checkpoint, weights.adapter, compileDir);
  figures['compile.seconds'] = measured(child.plain.seconds, 's', { repeats: 1 });
  figures['compile.faceid_seconds'] = measured(child.faceid.seconds, 's', { repeats: 1 });
  const notices = [...child.plain.notices, ...child.faceid.notices];
  figures['compile.extra_disk'] = measured((child.plain.diskBytes + child.faceid.diskBytes) / MB, 'MB', { note: notices.length > 0 ? `weights copied: ${notices[0]}` : 'graphs only; weights hard-linked' });
  figures['compile.peak_rss'] = measured(child.maxRssBytes / MB, 'MB', { note: 'both compilations in one process' });
  // The same compilations, now from the cache, as CompiledModel objects for this process.
  plain = await compileModel(weights.checkpoint, { cacheDir: compileDir });
  faceid = await compileModel(weights.checkpoint, { cacheDir: compileDir, adapter: weights.adapter });
});

// The peak is onnxruntime's MatMul at its best on large shapes (bench/matmul-peak.ts). The machine is shared and its
// load drifts, so a peak measured minutes away from a UNet step says little about the CPU that step got: every timed
// step is paired with a peak measurement (median of PAIRED_PEAK_REPEATS runs per shape) just before it, and the
// fraction of peak is the median of the per-step ratios. The UNet-like shapes are measured once, beside the first peak.
const PAIRED_PEAK_REPEATS = 3;
const meter = new MatMulMeter();
const peaks: number[] = [];
await attempt(['matmul.peak', 'matmul.unet_like'], 'MatMul peak (large shapes) and UNet-like shapes', async () => {
  const peak = await meter.peak(plan.peakRepeats);
  peaks.push(peak.gflops);
  const unetLike = await meter.measure(UNET_LIKE_SHAPES, plan.peakRepeats);
  const best = unetLike.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  figures['matmul.unet_like'] = measured(best.gflops, 'GFLOP/s', {
    repeats: plan.peakRepeats,
    note: `best UNet-like shape (256², CFG 2); each: ${unetLike.map((r) => `${formatShape(r.shape)} ${r.gflops.toFixed(0)}`).join(', ')}; peak beside it ${peak.gflops.toFixed(0)} (${peak.perShape.map((r) => `${formatShape(r.shape)} ${r.gflops.toFixed(0)}`).join(', ')})`,
  });
});
await attempt(['attention.512.fused', 'attention.512.unfused'], 'one attention layer at 512², fused vs unfused (child processes)', async () => {
  const self = compareAttention(plan.peakRepeats).find((c) => c.case === 'unet-self')!;
  for (const kernel of ['fused', 'unfused'] as const) {
    figures[`attention.512.${kernel}`] = measured(self.runs[kernel].seconds * 1000, 'ms', { repeats: plan.peakRepeats, note: `${self.label}; +${(self.runs[kernel].runBytes / MB).toFixed(0)} MB while running${kernel === 'fused' ? `; max |Δ| to unfused ${self.maxAbsDifference.toExponential(1)}` : ''}` });
  }
});
const pairedPeak = async (paired: number[]): Promise<void> => {
  const peak = await meter.peak(PAIRED_PEAK_REPEATS);
  paired.push(peak.gflops);
  peaks.push(peak.gflops);
};

const pool = new TimedSessionPool({ memoryBudgetBytes: 256 * 2 ** 30, preferredProviders: [] });
/** The fp32 working set (3 × the largest activation) per image size: the RSS target allows for it. */
const workingSetBySize = new Map<number, number>();

async function benchUnet(model: CompiledModel | undefined, size: number, prefix: string): Promise<void> {
  const ids = ['flops', 'step', 'achieved', 'peak_fraction'].map((s) => `${prefix}.${s}` as FigureId);
  await attempt(ids, `UNet ${size}² ${model?.adapter ? 'with FaceID + LoRA' : 'plain'}`, async () => {
    if (!model) throw new Error('the model did not compile');
    const flops = countGraphFlops(model.unet.path, unetInputShapes(model, size));
    workingSetBySize.set(size, Math.max(workingSetBySize.get(size) ?? 0, 3 * 4 * flops.largestTensorElements));
    figures[`${prefix}.flops` as FigureId] = measured(flops.matrixFlops / 1e9, 'GFLOP', { note: `MatMul ${(flops.byOp.MatMul ?? 0) / 1e9 | 0} + fused attention ${(flops.byOp.MultiHeadAttention ?? 0) / 1e9 | 0} + Conv ${(flops.byOp.Conv ?? 0) / 1e9 | 0}; element-wise ≈ ${(flops.elementwiseFlops / 1e9).toFixed(1)} not counted` });
    const paired: number[] = [];
    const timing = await timeUnet(pool, model, size, plan.unetRepeats, () => pairedPeak(paired));
    if (!model.adapter && size === 256) figures['unet.session_open'] = measured(timing.openSeconds, 's', { repeats: 1, note: 'fp16 external weights → fp32 session (Cast folded)' });
    figures[`${prefix}.step` as FigureId] = measured(timing.seconds, 's/step', { repeats: timing.repeats, note: 'batch 2 (CFG), fp32 CPU, after 1 warm-up' });
    const gflops = flops.matrixFlops / timing.seconds / 1e9;
    figures[`${prefix}.achieved` as FigureId] = measured(gflops, 'GFLOP/s');
    if (paired.length === timing.times.length) {
      const fractions = timing.times.map((t, i) => (100 * flops.matrixFlops) / t / 1e9 / paired[i]!);
      figures[`${prefix}.peak_fraction` as FigureId] = measured(median(fractions), '%', { repeats: fractions.length, note: `median over steps of achieved / MatMul peak measured just before that step (${paired.map((p) => p.toFixed(0)).join(', ')} GFLOP/s)` });
    }
  });
}

await benchUnet(plain, 256, 'unet.256');
const smallIds: FigureId[] = ['text_encoder.seconds', 'vae.decode.256', 'vae.encode.256'];
await attempt(smallIds, 'text encoder and VAE at 256²', async () => {
  if (!plain) throw new Error('the model did not compile');
  const te = await timeTextEncoder(pool, plain, plan.smallRepeats);
  figures['text_encoder.seconds'] = measured(te.seconds, 's', { repeats: te.repeats, note: 'uncond + cond in one call' });
  const dec = await timeVaeDecode(pool, plain, 256, plan.smallRepeats);
  figures['vae.decode.256'] = measured(dec.seconds, 's', { repeats: dec.repeats });
  const enc = await timeVaeEncode(pool, plain, 256, plan.smallRepeats);
  figures['vae.encode.256'] = measured(enc.seconds, 's', { repeats: enc.repeats });
});

await attempt(['txt2img.256.wall', 'txt2img.256.parts', 'txt2img.256.overhead'], `txt2img 256², ${TXT2IMG_STEPS} steps (generate(), warm sessions)`, async () => {
  if (!plain) throw new Error('the model did not compile');
  const loader = new ModelLoader({ cacheDir: compileDir, pool, tokenizerDir: fixture('sd15-tiny', 'tokenizer') });
  const { wallSeconds, partsSeconds, runs } = await timeTxt2img(loader, pool, weights.checkpoint, TXT2IMG_STEPS);
  figures['txt2img.256.wall'] = measured(wallSeconds, 's', { repeats: 1, note: 'generate(): DDIM, CFG 7, batch 1, PNG included' });
  figures['txt2img.256.parts'] = measured(partsSeconds, 's', { note: `inside onnxruntime during that same call: ${runs} session runs (text encoder, ${TXT2IMG_STEPS} UNet steps, VAE decode)` });
  figures['txt2img.256.overhead'] = measured((100 * (wallSeconds - partsSeconds)) / wallSeconds, '%', { note: '(wall − parts) / wall: tokenizer, scheduler, CFG, tensor copies, PNG' });
});

if (plan.sizes.includes(512)) {
  await benchUnet(plain, 512, 'unet.512');
  await attempt(['vae.decode.512', 'vae.encode.512'], 'VAE at 512²', async () => {
    if (!plain) throw new Error('the model did not compile');
    const dec = await timeVaeDecode(pool, plain, 512, plan.smallRepeats);
    figures['vae.decode.512'] = measured(dec.seconds, 's', { repeats: dec.repeats });
    const enc = await timeVaeEncode(pool, plain, 512, plan.smallRepeats);
    figures['vae.encode.512'] = measured(enc.seconds, 's', { repeats: enc.repeats });
  });
  await benchControlNet({ cacheRoot, pool, figures, attempt, log, unet: plain, size: 512, repeats: plan.unetRepeats });
  await benchTaesd({ cacheRoot, pool, figures, attempt, log, unet: plain, size: 512, repeats: plan.unetRepeats, smallRepeats: plan.smallRepeats });
  await attempt(['vae.tiled.2048.seconds', 'vae.tiled.2048.peak_rss'], 'VAE decode 2048², tiled (child process)', async () => {
    if (!plain) throw new Error('the model did not compile');
    const child = vaeDecodeInChild(plain.dir, 2048);
    figures['vae.tiled.2048.seconds'] = measured(child.seconds, 's', { repeats: 1, note: `${child.tiles} tiles (pipeline/tiled-decode.ts DEFAULT_TILING)` });
    figures['vae.tiled.2048.peak_rss'] = measured(child.maxRssBytes / MB, 'MB', { note: `the child process; ${(child.openRssBytes / MB).toFixed(0)} MB with the decoder open, before decoding` });
  });
} else {
  for (const id of ['controlnet.compile.seconds', 'controlnet.compile.extra_disk', 'controlnet.512.flops', 'controlnet.512.step', 'controlnet.512.unet_step', 'controlnet.512.ratio', 'preview.512.taesd', 'preview.512.unet_step', 'preview.512.ratio', 'preview.512.vae'] as const) figures[id] = notAvailable(SKIPPED_IN_QUICK);
  for (const id of ['unet.512.flops', 'unet.512.step', 'unet.512.achieved', 'unet.512.peak_fraction', 'unet.512.faceid.flops', 'unet.512.faceid.step', 'unet.512.faceid.achieved', 'unet.512.faceid.peak_fraction', 'vae.decode.512', 'vae.encode.512', 'vae.tiled.2048.seconds', 'vae.tiled.2048.peak_rss'] as const) {
    figures[id] = notAvailable(SKIPPED_IN_QUICK);
  }
}
await pool.releaseAll();

for (const size of plan.sizes) await benchUnet(faceid, size, `unet.${size}.faceid`);
await pool.releaseAll();

if (peaks.length > 0) {
  figures['matmul.peak'] = measured(median(peaks), 'GFLOP/s', {
    repeats: peaks.length,
    note: `median of the run's peak measurements (${Math.min(...peaks).toFixed(0)}–${Math.max(...peaks).toFixed(0)}): best of ${PEAK_SHAPES.map(formatShape).join(' and ')}, ${meter.threads} threads, at the start and before every UNet step`,
  });
}

await attempt(['engine.event_loop_lag_idle_p99'], 'event-loop lag, idle (5 s)', async () => {
  figures['engine.event_loop_lag_idle_p99'] = measured(await idleEventLoopLag(5), 'ms', { note: 'no job: what the machine\'s load alone costs the main thread' });
});
await attempt(['engine.event_loop_lag_p99'], `event-loop lag while the engine worker runs a 256² ${TXT2IMG_STEPS}-step job`, async () => {
  const lag = await eventLoopLagDuringJob({ cacheDir: compileDir, tokenizerDir: fixture('sd15-tiny', 'tokenizer'), model: weights.checkpoint, steps: TXT2IMG_STEPS });
  figures['engine.event_loop_lag_p99'] = measured(lag.p99Ms, 'ms', { note: `EngineClient worker thread, model load + job ${lag.jobSeconds.toFixed(0)} s; max ${lag.maxMs.toFixed(0)} ms` });
});

const weightsIds: FigureId[] = ['weights.fast.peak_rss', 'weights.compact.peak_rss', 'weights.fast.first_image', 'weights.compact.first_image', 'weights.fast.warm_image', 'weights.compact.warm_image', 'weights.compact.warm_ratio'];
await attempt(weightsIds, `fast vs compact weights: one process each, txt2img 256², ${TXT2IMG_STEPS} steps, twice`, async () => {
  const options = { checkpoint: weights.checkpoint, cacheDir: compileDir, tokenizerDir: fixture('sd15-tiny', 'tokenizer'), steps: TXT2IMG_STEPS };
  const fast = weightsModeInChild('fast', options);
  const compact = weightsModeInChild('compact', options);
  for (const [mode, result] of [['fast', fast], ['compact', compact]] as const) {
    figures[`weights.${mode}.peak_rss`] = measured(result.maxRssBytes / MB, 'MB', { note: 'the child process: sessions + two txt2img' });
    figures[`weights.${mode}.first_image`] = measured(result.firstImageSeconds, 's', { repeats: 1 });
    figures[`weights.${mode}.warm_image`] = measured(result.warmImageSeconds, 's', { repeats: 1 });
  }
  figures['weights.compact.warm_ratio'] = measured(compact.warmImageSeconds / fast.warmImageSeconds, '×', { note: 'measured one after the other in this run' });
});

const sdxlIds = (Object.keys(FIGURES) as FigureId[]).filter((id) => id.startsWith('sdxl.'));
if (quick) for (const id of sdxlIds) figures[id] = notAvailable(SKIPPED_IN_QUICK);
else await benchSdxl({ cacheRoot, pool, figures, attempt, log, pairedPeak });

await attempt(['face.per_reference'], 'face analysis per reference (tiny stand-in models)', async () => {
  const face = await benchFace({ modelsFolder: faceModelsFolder(), images: [await facePhotoPng()], repeats: plan.faceRepeats });
  figures['face.per_reference'] = measured(face.totalMs, 'ms', {
    repeats: face.repeats,
    note: `TINY STAND-INS (fixtures/face/models: real I/O, not real size): detect ${face.detectMs.toFixed(1)} + align ${face.alignMs.toFixed(1)} + embed ${face.embedMs.toFixed(1)} ms, ${face.faces} faces`,
  });
});

await attempt(['face_detail.512.txt2img', 'face_detail.512.pass'], `face detail pass at 512² next to one txt2img (${quick ? 'tiny model: quick run' : 'bench weights'})`, async () => {
  // The quick run checks the measurement on the tiny model; the full run measures the real-size weights.
  const model = quick ? fixture('sd15-tiny') : weights.checkpoint;
  const loader = new ModelLoader({ cacheDir: compileDir, pool, tokenizerDir: fixture('sd15-tiny', 'tokenizer') });
  const bench = await benchFaceDetail(loader, { model, size: 512, steps: TXT2IMG_STEPS });
  const which = quick ? 'TINY MODEL (quick run)' : 'bench weights';
  figures['face_detail.512.txt2img'] = measured(bench.txt2imgSeconds, 's', { repeats: 1, note: `${which}; DDIM, CFG 7, PNG included` });
  figures['face_detail.512.pass'] = measured(bench.passSeconds, 's', {
    repeats: 1,
    note: `${which}; a ${bench.faceSide} px face (stand-in detector), crop → 512², strength 0.4 (${Math.floor(TXT2IMG_STEPS * 0.4) || 1} steps), VAE encode + decode, blend, PNG`,
  });
  await pool.releaseAll();
});

await attempt(['library.insert', 'library.page_p50', 'library.page_p99'], `library: ${plan.libraryRows} inserts, ${plan.libraryQueries} page queries`, async () => {
  const lib = await benchLibrary({ rows: plan.libraryRows, queries: plan.libraryQueries });
  figures['library.insert'] = measured(lib.insertSeconds, 's', { note: `${lib.rows} rows through GenerationsRepository.insert, 1000 per transaction (${((lib.insertSeconds / lib.rows) * 1e6).toFixed(0)} µs/row)` });
  figures['library.page_p50'] = measured(lib.pageP50Ms, 'ms', { repeats: lib.queries, note: 'character / model / favourites filters, newest first, random offsets' });
  figures['library.page_p99'] = measured(lib.pageP99Ms, 'ms', { repeats: lib.queries });
});

await attempt(['gallery.first_page', 'gallery.filter', 'gallery.sort'], `gallery: ${plan.libraryRows} seeded rows in Chromium through the host, ${plan.galleryRepeats} rounds`, async () => {
  const gallery = await benchGallery({ rows: plan.libraryRows, repeats: plan.galleryRepeats });
  figures['gallery.first_page'] = measured(median(gallery.firstPageMs), 'ms', { repeats: gallery.firstPageMs.length, note: `Gallery tab: grid mounted → first tile image; ${spread(gallery.firstPageMs)}` });
  figures['gallery.filter'] = measured(median(gallery.filterMs), 'ms', { repeats: gallery.filterMs.length, note: `favourites on/off, character Ada/All: click → count shown; ${spread(gallery.filterMs)}` });
  figures['gallery.sort'] = measured(median(gallery.sortMs), 'ms', { repeats: gallery.sortMs.length, note: `best identity / newest first: click → new first tile; ${spread(gallery.sortMs)}` });
});

await attempt(['selftest.cpu'], 'self-test on the tiny model set (fresh cache)', async () => {
  const cacheDir = path.join(cacheRoot, `selftest-run-${process.pid}`);
  try {
    const before = process.cpuUsage();
    const report = await runSelftest({ cacheDir });
    const cpu = process.cpuUsage(before);
    if (!report.passed) throw new Error(`the self-test failed: ${report.steps.find((s) => s.status !== 'passed')?.name ?? '?'}`);
    figures['selftest.cpu'] = measured((cpu.user + cpu.system) / 1e6, 's', { repeats: 1, note: 'user + system CPU of this process (engine worker included), tiny set made from scratch' });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

const sideIds = (Object.keys(FIGURES) as FigureId[]).filter((id) => id.startsWith('side.'));
if (quick) {
  for (const id of sideIds) figures[id] = notAvailable(SKIPPED_IN_QUICK);
} else {
  await attempt(sideIds, `side by side with ${sdcpp ? `stable-diffusion.cpp (${sdcpp})` : 'no stable-diffusion.cpp (--sdcpp PATH not given): ours only'}, child processes`, async () => {
    const sideCompiled = path.join(cacheRoot, `compiled-side-${process.pid}`);
    try {
      const secondJob = async (size: number, steps: number) => weightsModeInChild('compact', { checkpoint: weights.checkpoint, cacheDir: sideCompiled, tokenizerDir: fixture('sd15-tiny', 'tokenizer'), steps, size }).warmImageSeconds;
      const side = await benchSideBySide({ sdcpp, checkpoint: weights.checkpoint, faceidBin: path.join(here, '..', 'src-main', 'cli', 'faceid.ts'), compiledDir: sideCompiled, secondJob, log });
      for (const [id, figure] of Object.entries(side)) figures[id as FigureId] = 'na' in figure ? notAvailable(figure.na) : measured(figure.value, figure.unit, { note: figure.note });
    } finally {
      rmSync(sideCompiled, { recursive: true, force: true });
    }
  });
}

rmSync(compileDir, { recursive: true, force: true });
meter.dispose();
figures['run.peak_rss'] = measured(peakRssBytes() / MB, 'MB', { note: 'main thread + engine worker thread (compile ran in a child)' });

const complete = completeFigures(figures, 'not measured');
const results: Results = ResultsSchema.parse({
  schemaVersion: RESULTS_SCHEMA_VERSION,
  mode: quick ? 'quick' : 'full',
  startedAt: startedAt.toISOString(),
  wallSeconds: (performance.now() - started) / 1000,
  machine,
  inputs: {
    checkpoint: path.basename(weights.checkpoint),
    checkpointBytes: weights.checkpointBytes,
    adapter: path.basename(weights.adapter),
    adapterBytes: weights.adapterBytes,
    weightsGeneratedSeconds: weights.generatedSeconds,
    txt2imgSteps: TXT2IMG_STEPS,
  },
  figures: complete,
  targets: evaluateTargets(complete, {
    fp16WeightBytes: weights.checkpointBytes,
    workingSetBytes: Math.max(0, ...workingSetBySize.values()),
    // The weights-mode children run the 256² txt2img only.
    txt2imgWorkingSetBytes: workingSetBySize.get(256) ?? 0,
  }),
});
const file = path.join(here, 'results.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${formatTable(results)}\n\nTargets (goals, not tests):\n${formatTargets(results.targets)}\n`);
console.log(`${machine.cpuModel} · ${machine.cores} cores · ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB · node ${machine.node} · onnxruntime ${machine.onnxruntime} · load at start ${machine.loadAverageAtStart.toFixed(1)}`);
console.log(`${results.mode} run: ${results.wallSeconds.toFixed(0)} s; written to ${path.relative(process.cwd(), file)}`);
