// The side-by-side figures of `npm run bench -- --sdcpp PATH`: stable-diffusion.cpp's own CLI and ours
// (`faceid generate`) on the same full-size random fp16 checkpoint, txt2img at `size`², Euler, CFG 7.5, 2 threads, each
// run in a child process of its own at N₁ and N₂ steps. Per-step time = (wall(N₂) − wall(N₁)) / (N₂ − N₁), so loading
// and decoding cancel out; fixed cost per image = wall(N₁) − N₁ × step; peak RSS from the child's VmHWM. The bench
// builds nothing: without --sdcpp only our side is measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProcessRun {
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs a command to its end, sampling its peak resident memory (Linux VmHWM) while it runs. */
export function measureProcess(command: string, args: readonly string[], options: { sampleMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'pipe'], ...(options.env ? { env: options.env } : {}) });
    let stderr = '';
    let peak = 0;
    const sample = () => {
      try {
        const match = /^VmHWM:\s+(\d+)\s+kB$/mu.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peak = Math.max(peak, Number(match[1]) * 1024);
      } catch {
        // the process has just ended: its last sample stands
      }
    };
    const timer = setInterval(sample, options.sampleMs ?? 50);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ wallSeconds: (performance.now() - started) / 1000, peakRssBytes: peak, code, stderr });
    });
  });
}

export interface StepSplit {
  readonly stepSeconds: number;
  readonly fixedSeconds: number;
}

/** Per-step time and fixed cost from the walls of one txt2img at n1 and at n2 steps. */
export function splitSteps(n1: number, wall1: number, n2: number, wall2: number): StepSplit {
  const stepSeconds = (wall2 - wall1) / (n2 - n1);
  return { stepSeconds, fixedSeconds: wall1 - n1 * stepSeconds };
}

export interface SideBySideRequest {
  readonly checkpoint: string;
  readonly size: number;
  readonly steps: number;
  readonly threads: number;
  readonly seed: number;
  readonly out: string;
}

const PROMPT = 'a portrait photo of a person, natural light';

/** stable-diffusion.cpp's CLI arguments for one txt2img (examples/cli: -m, -p, --cfg-scale, --sampling-method, …). */
export function sdcppArgs(request: SideBySideRequest): string[] {
  return ['-m', request.checkpoint, '-p', PROMPT, '--cfg-scale', '7.5', '--sampling-method', 'euler', '--steps', String(request.steps), '-W', String(request.size), '-H', String(request.size), '-t', String(request.threads), '-s', String(request.seed), '-o', path.join(request.out, 'sdcpp.png')];
}

/**
 * Our CLI's arguments for the same txt2img (the engine's thread count comes from the environment), in the model
 * memory that Automatic picks on a machine with 16 GB (compact below 16 GiB: app/engine-settings.ts), the issue's
 * "default mode on a 16 GB machine"; this machine may have more. `faceidBin` is the CLI's TypeScript entry run by
 * this Node itself: bin/faceid.js would start a second process, whose memory the wrapper's VmHWM does not show.
 */
export function oursArgs(request: SideBySideRequest, faceidBin: string): string[] {
  return [faceidBin, 'generate', '--model', request.checkpoint, '--prompt', PROMPT, '--cfg', '7.5', '--sampler', 'Euler', '--steps', String(request.steps), '--size', `${request.size}x${request.size}`, '--seed', String(request.seed), '--memory', 'compact', '--out', request.out];
}

export interface SideBySideResult {
  readonly split: StepSplit;
  /** The N₂ run's peak resident memory. */
  readonly peakRssBytes: number;
}

export const SIDE_BY_SIDE_SIZES = [256, 512] as const;
export const SIDE_BY_SIDE_STEPS = [2, 6] as const;

type SideFigure = 'step' | 'fixed' | 'peak_rss' | 'fixed_second';

/** The wall of a second job of `steps` at `size`² in a process whose first job opened everything (ours only). */
export type SecondJobTimer = (size: number, steps: number) => Promise<number>;

/** Both engines at each size (ours always; stable-diffusion.cpp when its binary is given), as figure values. */
export async function benchSideBySide(options: { sdcpp: string | undefined; checkpoint: string; faceidBin: string; compiledDir: string; secondJob: SecondJobTimer; log: (line: string) => void }): Promise<Record<string, { value: number; unit: string; note: string } | { na: string }>> {
  const figures: Record<string, { value: number; unit: string; note: string } | { na: string }> = {};
  const [n1, n2] = SIDE_BY_SIDE_STEPS;
  const engines = {
    ours: (r: SideBySideRequest) => measureProcess(process.execPath, oursArgs(r, options.faceidBin), { env: { ...process.env, FACEID_COMPILED_DIR: options.compiledDir } }),
    sdcpp: options.sdcpp ? (r: SideBySideRequest) => measureProcess(options.sdcpp!, sdcppArgs(r)) : undefined,
  };
  for (const size of SIDE_BY_SIDE_SIZES) {
    const results: Partial<Record<'ours' | 'sdcpp', SideBySideResult>> = {};
    let oursSecondFixed: number | undefined;
    for (const name of ['ours', 'sdcpp'] as const) {
      const put = (what: SideFigure, value: { value: number; unit: string; note: string } | { na: string }) => (figures[`side.${size}.${name}.${what}`] = value);
      const engine = engines[name];
      if (!engine) {
        for (const what of ['step', 'fixed', 'peak_rss'] as const) put(what, { na: 'no --sdcpp PATH given (the bench builds nothing)' });
        continue;
      }
      options.log(`side by side ${size}²: ${name} at ${n1} and ${n2} steps…`);
      try {
        const result = await timeEngine(engine, { checkpoint: options.checkpoint, size, threads: 2, seed: 42 }, n1, n2);
        results[name] = result;
        const note = `(wall(${n2}) − wall(${n1})) / ${n2 - n1}, fresh process each, Euler, CFG 7.5`;
        put('step', { value: result.split.stepSeconds, unit: 's/step', note });
        put('fixed', { value: result.split.fixedSeconds, unit: 's', note: `wall(${n1}) − ${n1} × step: start, load, text encoding, decode` });
        put('peak_rss', { value: result.peakRssBytes / 2 ** 20, unit: 'MB', note: `the ${n2}-step run's VmHWM` });
        if (name === 'ours') {
          // stable-diffusion.cpp's CLI loads everything for each job; ours keeps its sessions for the next one.
          const second = splitSteps(n1, await options.secondJob(size, n1), n2, await options.secondJob(size, n2));
          oursSecondFixed = second.fixedSeconds;
          put('fixed_second', { value: second.fixedSeconds, unit: 's', note: `second job in one process (compact, the bench's txt2img): warm wall(${n1}) − ${n1} × warm step (${second.stepSeconds.toFixed(2)} s)` });
        }
      } catch (error) {
        for (const what of ['step', 'fixed', 'peak_rss', ...(name === 'ours' ? (['fixed_second'] as const) : [])] as const) put(what, { na: (error as Error).message.slice(0, 300) });
      }
    }
    const ours = results.ours;
    const theirs = results.sdcpp;
    const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
    for (const [what, value] of [['step_ratio', ratio(ours?.split.stepSeconds, theirs?.split.stepSeconds)], ['fixed_ratio', ratio(ours?.split.fixedSeconds, theirs?.split.fixedSeconds)], ['rss_ratio', ratio(ours?.peakRssBytes, theirs?.peakRssBytes)], ['fixed_second_ratio', ratio(oursSecondFixed, theirs?.split.fixedSeconds)]] as const) {
      figures[`side.${size}.${what}`] = value === undefined ? { na: 'needs both engines measured in this run' } : { value, unit: '×', note: 'ours / stable-diffusion.cpp, same run' };
    }
  }
  return figures;
}

/** One engine at n1 and n2 steps (a fresh child each: the first job after start, as a user meets it), after one
 * untimed run that leaves behind what any later start finds ready (our compiled graphs and the checkpoint's hash):
 * otherwise the first timed run alone pays for them and the step split is skewed. */
export async function timeEngine(run: (request: SideBySideRequest) => Promise<ProcessRun>, base: Omit<SideBySideRequest, 'steps' | 'out'>, n1: number, n2: number): Promise<SideBySideResult> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'faceid-side-by-side-'));
  try {
    const warm = await run({ ...base, steps: n1, out });
    if (warm.code !== 0) throw new Error(`the run failed (${warm.code}): ${warm.stderr.slice(-600)}`);
    const first = await run({ ...base, steps: n1, out });
    const second = await run({ ...base, steps: n2, out });
    for (const r of [first, second]) if (r.code !== 0) throw new Error(`the run failed (${r.code}): ${r.stderr.slice(-600)}`);
    return { split: splitSteps(n1, first.wallSeconds, n2, second.wallSeconds), peakRssBytes: second.peakRssBytes };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
