// One attention layer, fused (onnxruntime's MultiHeadAttention) against unfused (MatMul → Softmax → MatMul), on the
// shapes the UNet and the VAE have at 512²: time per run (median) and the memory the run adds (VmHWM after the runs
// minus the resident size before the first run, each variant in a child process of its own so the figures are its
// alone), and the largest difference between the two outputs on the same inputs.
//
//   node bench/attention-bench.ts [repeats]        prints a table and one JSON line
// (child mode: node bench/attention-bench.ts --child <case> <kernel> <repeats> <outputFile>)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src-main/engine/graph/graph-builder.ts';
import { attention, type AttentionKernel } from '../src-main/engine/graph/layers.ts';
import { openSession } from '../src-main/engine/onnx/session.ts';
import { peakRssBytes } from './peak-rss.ts';
import { median } from './results.ts';

interface AttentionCase {
  readonly label: string;
  readonly batch: number;
  readonly heads: number;
  readonly queryTokens: number;
  readonly keyTokens: number;
  readonly dim: number;
}

/** SD1.5 at 512² with CFG (batch 2): the first level's self- and cross-attention; the VAE's mid-block attention. */
export const ATTENTION_CASES: Readonly<Record<string, AttentionCase>> = {
  'unet-self': { label: 'UNet self-attention 512² (2·8 heads, 4096 tokens, 40 dims)', batch: 2, heads: 8, queryTokens: 4096, keyTokens: 4096, dim: 320 },
  'unet-cross': { label: 'UNet cross-attention 512² (2·8 heads, 4096 × 77 tokens, 40 dims)', batch: 2, heads: 8, queryTokens: 4096, keyTokens: 77, dim: 320 },
  'vae-mid': { label: 'VAE mid attention 512² (1 head, 4096 tokens, 512 dims)', batch: 1, heads: 1, queryTokens: 4096, keyTokens: 4096, dim: 512 },
};
const KERNELS: readonly AttentionKernel[] = ['unfused', 'fused'];
const here = path.dirname(fileURLToPath(import.meta.url));

export interface AttentionRun {
  readonly seconds: number;
  /** VmHWM after the runs − RSS before the first run. */
  readonly runBytes: number;
}

function attentionModel(c: AttentionCase, kernel: AttentionKernel): Uint8Array {
  const g = new GraphBuilder(`attention_${kernel}`, { fusedAttention: kernel === 'fused' });
  const q = g.input('q', 'float', [c.batch, c.queryTokens, c.dim]);
  const k = g.input('k', 'float', [c.batch, c.keyTokens, c.dim]);
  const v = g.input('v', 'float', [c.batch, c.keyTokens, c.dim]);
  g.output(attention(g, q, k, v, c.heads, c.dim), 'o', 'float', [c.batch, c.queryTokens, c.dim]);
  return g.toModel({ locationOf: () => '' });
}

/** Deterministic values in [−2, 2): large enough that the softmax is far from uniform. */
function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 4 - 2;
  }
  return out;
}

function residentBytes(): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/mu.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

async function runChild(caseName: string, kernel: AttentionKernel, repeats: number, outputFile: string): Promise<void> {
  const c = ATTENTION_CASES[caseName]!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-attention-'));
  try {
    const file = path.join(dir, 'attention.onnx');
    writeFileSync(file, attentionModel(c, kernel));
    const session = await openSession(file);
    const feeds = {
      q: new ort.Tensor('float32', values(c.batch * c.queryTokens * c.dim, 1), [c.batch, c.queryTokens, c.dim]),
      k: new ort.Tensor('float32', values(c.batch * c.keyTokens * c.dim, 2), [c.batch, c.keyTokens, c.dim]),
      v: new ort.Tensor('float32', values(c.batch * c.keyTokens * c.dim, 3), [c.batch, c.keyTokens, c.dim]),
    };
    const before = residentBytes();
    const first = await session.run(feeds);
    writeFileSync(outputFile, new Uint8Array((first.o!.data as Float32Array).buffer));
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await session.run(feeds);
      times.push((performance.now() - started) / 1000);
    }
    const result: AttentionRun = { seconds: median(times), runBytes: peakRssBytes() - before };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export interface AttentionComparison {
  readonly case: string;
  readonly label: string;
  readonly runs: Readonly<Record<AttentionKernel, AttentionRun>>;
  readonly maxAbsDifference: number;
}

/** Every case, each kernel in a child process of its own. */
export function compareAttention(repeats: number): AttentionComparison[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faceid-bench-attention-out-'));
  try {
    return Object.entries(ATTENTION_CASES).map(([name, c]) => {
      const runs = {} as Record<AttentionKernel, AttentionRun>;
      const outputs = {} as Record<AttentionKernel, Float32Array>;
      for (const kernel of KERNELS) {
        const out = path.join(dir, `${name}-${kernel}.f32`);
        const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, kernel, String(repeats), out], { encoding: 'utf8', cwd: here });
        if (child.status !== 0) throw new Error(`attention child ${name}/${kernel} failed (${child.status ?? child.signal}): ${child.stderr.slice(-2000)}`);
        runs[kernel] = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as AttentionRun;
        const bytes = readFileSync(out);
        outputs[kernel] = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      }
      return { case: name, label: c.label, runs, maxAbsDifference: maxAbsDifference(outputs.unfused, outputs.fused) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--child') {
    const [caseName, kernel, repeats, outputFile] = process.argv.slice(3);
    await runChild(caseName!, kernel as AttentionKernel, Number(repeats), outputFile!);
  } else {
    const repeats = Number(process.argv[2] ?? 3);
    const results = compareAttention(repeats);
    const MB = 1e6;
    for (const r of results) {
      console.log(`${r.label}:`);
      for (const kernel of KERNELS) console.log(`  ${kernel.padEnd(8)} ${(r.runs[kernel].seconds * 1000).toFixed(0).padStart(6)} ms  +${(r.runs[kernel].runBytes / MB).toFixed(0)} MB while running`);
      console.log(`  fused / unfused time ${(r.runs.fused.seconds / r.runs.unfused.seconds).toFixed(2)}×, max |Δ| ${r.maxAbsDifference.toExponential(2)}`);
    }
    console.log(JSON.stringify({ repeats, threads: os.availableParallelism(), results }));
  }
}
