// The machine's peak for fp32 matrix work: onnxruntime's own MatMul at its best, on large shapes (2048³ and
// 4096×4096·4096×1024) with a constant weight (prepacked, as a compiled Linear's is) and every hardware thread.
// "Fraction of peak" = the UNet's achieved GFLOP/s over this, measured in the same run, next to each step.
// The UNet-like shapes (tokens × channels at 256² with CFG, and a 3×3-conv-sized K) are measured beside it: they
// show how far below the peak the UNet's own matrix sizes run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src-main/engine/graph/graph-builder.ts';
import { openSession } from '../src-main/engine/onnx/session.ts';
import { median } from './results.ts';

export interface MatMulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Large shapes where onnxruntime's MatMul is at its best: the best median over these is the peak. */
export const PEAK_SHAPES: readonly MatMulShape[] = [
  { m: 2048, k: 2048, n: 2048 },
  { m: 4096, k: 4096, n: 1024 },
];

/** Shapes of the UNet at 256² with CFG batch 2: 2·32·32 tokens at 320 ch (FF in/out, attention proj), 3×3-conv K. */
export const UNET_LIKE_SHAPES: readonly MatMulShape[] = [
  { m: 2048, k: 320, n: 1280 },
  { m: 2048, k: 1280, n: 320 },
  { m: 512, k: 640, n: 2560 },
  { m: 2048, k: 2880, n: 320 },
];

export const formatShape = (s: MatMulShape): string => `${s.m}×${s.k}·${s.k}×${s.n}`;

/** An ONNX model computing A [m,k] · W [k,n] with W a constant initializer (deterministic values). */
export function buildMatMulModel(shape: MatMulShape): Uint8Array {
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', 'float', [shape.m, shape.k]);
  const values = new Array<number>(shape.k * shape.n);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const w = g.constFloat(values, [shape.k, shape.n]);
  g.output(g.op('MatMul', [a, w]), 'y', 'float', [shape.m, shape.n]);
  return g.toModel({ locationOf: () => '' });
}

export interface ShapeRate {
  readonly shape: MatMulShape;
  /** Median GFLOP/s over the timed runs. */
  readonly gflops: number;
}

export interface PeakResult {
  /** Best median GFLOP/s over PEAK_SHAPES. */
  readonly gflops: number;
  readonly shape: MatMulShape;
  readonly perShape: readonly ShapeRate[];
  readonly repeats: number;
  readonly threads: number;
}

/**
 * Times MatMul shapes on onnxruntime's CPU provider with every hardware thread. The model files are written once
 * (a 16 MB weight takes a while to serialise) and each measurement opens fresh sessions, so nothing stays resident
 * between measurements.
 */
export class MatMulMeter {
  readonly threads = os.availableParallelism();
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-matmul-'));
  private readonly files = new Map<string, string>();

  /** Median GFLOP/s of each shape over `repeats` timed runs, after one warm-up run. */
  async measure(shapes: readonly MatMulShape[], repeats: number): Promise<ShapeRate[]> {
    const rates: ShapeRate[] = [];
    for (const shape of shapes) {
      const session = await openSession(this.fileOf(shape), { intraOpNumThreads: this.threads });
      try {
        const feeds = { a: new ort.Tensor('float32', new Float32Array(shape.m * shape.k).fill(0.25), [shape.m, shape.k]) };
        const flops = 2 * shape.m * shape.k * shape.n;
        await session.run(feeds);
        const runs: number[] = [];
        for (let i = 0; i < repeats; i++) {
          const started = performance.now();
          await session.run(feeds);
          runs.push(flops / ((performance.now() - started) / 1000) / 1e9);
        }
        rates.push({ shape, gflops: median(runs) });
      } finally {
        await session.release();
      }
    }
    return rates;
  }

  /** The peak: the best of PEAK_SHAPES' medians. */
  async peak(repeats: number): Promise<PeakResult> {
    const perShape = await this.measure(PEAK_SHAPES, repeats);
    const best = perShape.reduce((a, b) => (b.gflops > a.gflops ? b : a));
    return { gflops: best.gflops, shape: best.shape, perShape, repeats, threads: this.threads };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fileOf(shape: MatMulShape): string {
    const key = `${shape.m}x${shape.k}x${shape.n}`;
    let file = this.files.get(key);
    if (!file) {
      file = path.join(this.dir, `matmul-${key}.onnx`);
      writeFileSync(file, buildMatMulModel(shape));
      this.files.set(key, file);
    }
    return file;
  }
}
