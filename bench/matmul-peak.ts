// The machine's practical peak for our kind of work: onnxruntime's own MatMul on fp32 shapes like the UNet's
// (tokens × channels against a constant weight, as a compiled Linear is; and an im2col-sized K like a 3×3 conv).
// "Fraction of peak" = the UNet's achieved GFLOP/s over this, both measured in the same run on the same threads.
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

/** Shapes of the UNet at 256² with CFG batch 2: 2·32·32 tokens at 320 ch (FF in/out, attention proj), 3×3-conv K. */
export const UNET_LIKE_SHAPES: readonly MatMulShape[] = [
  { m: 2048, k: 320, n: 1280 },
  { m: 2048, k: 1280, n: 320 },
  { m: 512, k: 640, n: 2560 },
  { m: 2048, k: 2880, n: 320 },
];

/** An ONNX model computing A [m,k] · W [k,n] with W a constant initializer (deterministic values). */
export function buildMatMulModel(shape: MatMulShape): Uint8Array {
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', 'float', [shape.m, shape.k]);
  const values = Array.from({ length: shape.k * shape.n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const w = g.constFloat(values, [shape.k, shape.n]);
  g.output(g.op('MatMul', [a, w]), 'y', 'float', [shape.m, shape.n]);
  return g.toModel({ locationOf: () => '' });
}

export interface PeakResult {
  /** Best median GFLOP/s over the shapes. */
  readonly gflops: number;
  readonly shape: MatMulShape;
  readonly perShape: readonly { shape: MatMulShape; gflops: number }[];
  readonly repeats: number;
}

/** Median GFLOP/s of each shape over `repeats` timed runs (after one warm-up); the best shape is the peak. */
export async function measureMatMulPeak(options: { repeats: number; shapes?: readonly MatMulShape[] }): Promise<PeakResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-matmul-'));
  const perShape: { shape: MatMulShape; gflops: number }[] = [];
  try {
    for (const shape of options.shapes ?? UNET_LIKE_SHAPES) {
      const file = path.join(dir, `matmul-${shape.m}x${shape.k}x${shape.n}.onnx`);
      writeFileSync(file, buildMatMulModel(shape));
      const session = await openSession(file);
      const input = new Float32Array(shape.m * shape.k).fill(0.25);
      const feeds = { a: new ort.Tensor('float32', input, [shape.m, shape.k]) };
      const flops = 2 * shape.m * shape.k * shape.n;
      await session.run(feeds);
      const rates: number[] = [];
      for (let i = 0; i < options.repeats; i++) {
        const started = performance.now();
        await session.run(feeds);
        rates.push(flops / ((performance.now() - started) / 1000) / 1e9);
      }
      await session.release();
      perShape.push({ shape, gflops: median(rates) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const best = perShape.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: best.gflops, shape: best.shape, perShape, repeats: options.repeats };
}
