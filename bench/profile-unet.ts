// Where a UNet step's time goes, per op type, from onnxruntime's own profiler: the full-size random SD1.5 of the
// bench (bench/generate-weights.ts), compiled with the attention kernel asked for, one CFG-batch-2 step at the size
// asked for after one warm-up step, in a session opened as the engine opens a fast-weights one (all optimisations,
// CPU) plus profiling. Each op type's kernel time, share of the step, node count, and — for the matrix ops — FLOPs
// (bench/flops.ts) and GFLOP/s against the MatMul peak measured just before the step (bench/matmul-peak.ts).
//
//   node bench/profile-unet.ts [size=512] [fused|unfused=fused]     prints a Markdown table and one JSON line
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { AttentionKernel } from '../src-main/engine/graph/layers.ts';
import { compileModel } from '../src-main/engine/models/compile.ts';
import { fixture } from '../test/helpers/fixtures.ts';
import { unetFeeds, unetInputShapes } from './engine-bench.ts';
import { countGraphFlops } from './flops.ts';
import { ensureBenchWeights } from './generate-weights.ts';
import { MatMulMeter } from './matmul-peak.ts';
import { peakRssBytes } from './peak-rss.ts';

interface TraceEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly ts?: number;
  readonly dur?: number;
  readonly args?: { readonly op_name?: string };
}

export interface OpTypeRow {
  readonly opType: string;
  readonly nodes: number;
  readonly seconds: number;
  /** Share of the summed kernel time, %. */
  readonly share: number;
  readonly gflop?: number;
}

/**
 * Kernel time per op type over the last `model_run` of a profile (onnxruntime's Chrome-trace JSON): node events are
 * `<node>_kernel_time`, in µs, with the op type (after graph optimisation: FusedConv, FusedMatMul …) in args.op_name.
 */
export function kernelTimeByOpType(events: readonly TraceEvent[]): { rows: { opType: string; nodes: number; seconds: number }[]; runSeconds: number } {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const last = runs.at(-1);
  if (!last || last.ts === undefined || last.dur === undefined) throw new Error('the profile has no model_run event');
  const from = last.ts;
  const to = last.ts + last.dur;
  const byOp = new Map<string, { nodes: number; micros: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.ts === undefined || e.dur === undefined) continue;
    if (e.ts < from || e.ts > to) continue;
    const opType = e.args?.op_name ?? '?';
    const row = byOp.get(opType) ?? { nodes: 0, micros: 0 };
    row.nodes++;
    row.micros += e.dur;
    byOp.set(opType, row);
  }
  const rows = [...byOp].map(([opType, r]) => ({ opType, nodes: r.nodes, seconds: r.micros / 1e6 })).sort((a, b) => b.seconds - a.seconds);
  return { rows, runSeconds: last.dur / 1e6 };
}

/** Which op types of the optimised graph carry the FLOPs the counter gives per op type of the compiled graph. */
const FLOPS_OF: Readonly<Record<string, readonly string[]>> = {
  Conv: ['Conv', 'FusedConv'],
  MatMul: ['MatMul', 'FusedMatMul', 'Gemm', 'MatMulNBits'],
  MultiHeadAttention: ['MultiHeadAttention'],
};

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 512);
  const attention = (process.argv[3] ?? 'fused') as AttentionKernel;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const cacheRoot = path.join(here, 'cache');
  const weights = ensureBenchWeights(cacheRoot, fixture('manifests'), (line) => console.error(line));
  const cacheDir = path.join(cacheRoot, `compiled-profile-${process.pid}`);
  const meter = new MatMulMeter();
  try {
    const compiled = await compileModel(weights.checkpoint, { cacheDir, attention });
    const flops = countGraphFlops(compiled.unet.path, unetInputShapes(compiled, size));
    const prefix = path.join(os.tmpdir(), `faceid-unet-profile-${process.pid}`);
    const openStarted = performance.now();
    const session = await ort.InferenceSession.create(compiled.unet.path, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: prefix });
    const openSeconds = (performance.now() - openStarted) / 1000;
    const feeds = unetFeeds(compiled, size);
    await session.run(feeds());
    const peak = await meter.peak(3);
    const input = feeds();
    const started = performance.now();
    await session.run(input);
    const stepSeconds = (performance.now() - started) / 1000;
    // onnxruntime-node's endProfiling returns nothing: the file is `<prefix>_<date>.json`.
    session.endProfiling();
    await session.release();
    const written = readdirSync(path.dirname(prefix)).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
    if (written.length !== 1) throw new Error(`expected one profile file ${prefix}_*.json, found ${written.length}`);
    const file = path.join(path.dirname(prefix), written[0]!);
    const { rows, runSeconds } = kernelTimeByOpType(JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[]);
    rmSync(file, { force: true });
    const kernelSeconds = rows.reduce((a, r) => a + r.seconds, 0);
    const table: OpTypeRow[] = rows.map((r) => {
      const counted = Object.entries(FLOPS_OF).find(([, kinds]) => kinds.includes(r.opType))?.[0];
      return { ...r, share: (100 * r.seconds) / kernelSeconds, ...(counted && flops.byOp[counted] ? { gflop: flops.byOp[counted]! / 1e9 } : {}) };
    });
    // A counted op type split over several optimised kinds (Conv and FusedConv): its FLOPs go with their summed time.
    const rate = (row: OpTypeRow): string => {
      if (row.gflop === undefined) return '';
      const kinds = Object.values(FLOPS_OF).find((k) => k.includes(row.opType))!;
      const seconds = table.filter((r) => kinds.includes(r.opType)).reduce((a, r) => a + r.seconds, 0);
      return `${(row.gflop / seconds).toFixed(0)} GFLOP/s (${((100 * row.gflop) / seconds / peak.gflops).toFixed(0)} % of peak)${kinds.filter((k) => table.some((r) => r.opType === k)).length > 1 ? ` over ${kinds.filter((k) => table.some((r) => r.opType === k)).join(' + ')}` : ''}`;
    };
    console.log(`UNet ${size}², CFG batch 2, ${attention} attention, fp32 CPU (${os.availableParallelism()} threads): step ${stepSeconds.toFixed(2)} s (profiled run ${runSeconds.toFixed(2)} s, kernels ${kernelSeconds.toFixed(2)} s), ${(flops.matrixFlops / 1e9).toFixed(0)} GFLOP = ${(flops.matrixFlops / stepSeconds / 1e9).toFixed(0)} GFLOP/s; MatMul peak just before ${peak.gflops.toFixed(0)} GFLOP/s → ${((100 * flops.matrixFlops) / stepSeconds / 1e9 / peak.gflops).toFixed(0)} % of peak; session open ${openSeconds.toFixed(1)} s; peak RSS ${(peakRssBytes() / 1e9).toFixed(1)} GB`);
    console.log('\n| op type | nodes | time | share | matrix work |\n|---|---|---|---|---|');
    for (const row of table.filter((r) => r.share >= 0.1)) console.log(`| ${row.opType} | ${row.nodes} | ${row.seconds.toFixed(2)} s | ${row.share.toFixed(1)} % | ${row.gflop !== undefined ? `${row.gflop.toFixed(0)} GFLOP, ${rate(row)}` : ''} |`);
    const rest = table.filter((r) => r.share < 0.1);
    if (rest.length > 0) console.log(`| ${rest.length} other op types | ${rest.reduce((a, r) => a + r.nodes, 0)} | ${rest.reduce((a, r) => a + r.seconds, 0).toFixed(2)} s | ${rest.reduce((a, r) => a + r.share, 0).toFixed(1)} % | |`);
    console.log(JSON.stringify({ size, attention, stepSeconds, runSeconds, kernelSeconds, gflop: flops.matrixFlops / 1e9, peakGflops: peak.gflops, openSeconds, peakRssBytes: peakRssBytes(), rows: table }));
  } finally {
    meter.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
