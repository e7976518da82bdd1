// `npm run gpu-check [-- --runtime FILE.nupkg [--runtime-sha512 HEX]] [--fixtures DIR] [--out FILE] [--cache DIR]
//                    [--no-timings] [--require-gpu]`
// One unattended check of the GPU path, at most about 10 minutes on a GPU machine (a fresh Linux x64 with an NVIDIA
// GPU and CUDA 12):
//   1. what runs here (`faceid doctor --gpu`); with --runtime, the NVIDIA GPU runtime is installed first through the
//      model manager's path from that local .nupkg (else a missing runtime is reported, with what to give);
//   2. the goldens on the GPU provider in fp32 (TF32 off: NVIDIA_TF32_OVERRIDE=0, so fp32 means fp32) and in fp16
//      compute at the fp16 tolerances stated in tolerances.ts;
//   3. timings on full-size random-weight checkpoints: SD1.5 at 512² and SDXL at 1024², fp16 and fp32 compute;
//   4. a JSON report (default gpu-check-report.json).
// Without a GPU provider it runs its CPU part — the fp16-compute graphs against the goldens on the CPU at the fp16
// tolerances — and reports "no GPU provider available" with what is missing; exit 0 unless --require-gpu.
// Each golden run and timing is a child process, so a provider that crashes or holds GPU memory ends with it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onnxruntimeVersion } from '../../src-main/engine/onnx/execution-providers.ts';
import { gpuReport, type GpuReport } from '../../src-main/models/gpu-report.ts';
import { ModelManager } from '../../src-main/models/model-manager.ts';
import { fixturesRoot } from '../../test/helpers/fixtures.ts';
import type { GoldenRunSummary } from './goldens-child.ts';
import type { TimingResult } from './timings-child.ts';
import { CPU_PART_SUITES, FP16_COMPUTE_TOLERANCES, GRAPH_SUITES } from './tolerances.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** The whole check's time: children are started only while this much is left of it. */
const BUDGET_SECONDS = 570;
const started = performance.now();
const secondsLeft = () => BUDGET_SECONDS - (performance.now() - started) / 1000;
const log = (line: string) => console.log(`[gpu-check ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

const { values } = parseArgs({
  options: {
    runtime: { type: 'string' },
    'runtime-sha512': { type: 'string' },
    fixtures: { type: 'string' },
    out: { type: 'string' },
    cache: { type: 'string' },
    'no-timings': { type: 'boolean' },
    'require-gpu': { type: 'boolean' },
  },
});
const fixtures = path.resolve(values.fixtures ?? fixturesRoot);
const outFile = path.resolve(values.out ?? 'gpu-check-report.json');
const cacheRoot = path.resolve(values.cache ?? path.join(os.tmpdir(), 'faceid-gpu-check'));

interface ChildRun<T> {
  readonly ok: boolean;
  readonly result?: T;
  readonly error?: string;
}

/** Runs a child script; its stderr streams through, the last stdout line is its JSON result. */
function runChild<T>(script: string, args: readonly string[], env: Readonly<Record<string, string>>, timeoutSeconds: number): Promise<ChildRun<T>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, script), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, timeoutSeconds) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const result = JSON.parse(last) as T;
        resolve({ ok: code === 0, result, ...(code === 0 ? {} : { error: `exited ${code ?? signal}` }) });
      } catch {
        resolve({ ok: false, error: signal === 'SIGKILL' ? `stopped after ${timeoutSeconds.toFixed(0)} s (time budget)` : `exited ${code ?? signal} without a result` });
      }
    });
  });
}

/** The NVIDIA GPU and driver, where nvidia-smi answers. */
function nvidiaSmi(): string | null {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

/** Installs the runtime from a local package through the model manager; the doctor is asked again in a new process. */
async function installRuntime(file: string): Promise<{ installed: boolean; detail: string }> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'faceid-gpu-check-models-'));
  try {
    const manager = new ModelManager({ modelsDir: path.join(scratch, 'models'), stateDir: scratch });
    const installed = await manager.installGpuRuntime({ localPackage: path.resolve(file), ...(values['runtime-sha512'] ? { localPackageSha512: values['runtime-sha512'] } : {}) });
    return { installed: true, detail: `${installed.files.join(', ')} into ${installed.nativeFolder}; verified against ${installed.verifiedAgainst}` };
  } catch (error) {
    return { installed: false, detail: (error as Error).message };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function doctorInChild(): GpuReport {
  return JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'faceid.js'), 'doctor', '--gpu', '--json'], { encoding: 'utf8', timeout: 120_000 })) as GpuReport;
}

/** What to do about a missing GPU provider, one line each. */
function missingLines(gpu: GpuReport): string[] {
  const lines = gpu.providers.filter((p) => !p.works && p.name !== 'cpu').map((p) => `${p.name}: ${p.detail}`);
  if (gpu.gpuRuntime.state === 'missing' && !values.runtime) {
    lines.push(`give the NVIDIA GPU runtime as a local package: npm run gpu-check -- --runtime microsoft.ml.onnxruntime.gpu.linux.${onnxruntimeVersion()}.nupkg (from nuget.org), or let the studio download it (faceid models install-gpu-runtime)`);
  }
  return [...lines, ...gpu.advice];
}

log(`onnxruntime-node ${onnxruntimeVersion()}, fixtures ${fixtures}, budget ${BUDGET_SECONDS} s`);
const machine = { platform: `${process.platform}-${process.arch}`, node: process.versions.node, onnxruntime: onnxruntimeVersion(), cpus: os.cpus().length, memoryBytes: os.totalmem(), nvidiaSmi: nvidiaSmi() };
let gpu = await gpuReport();
let install: { installed: boolean; detail: string } | null = null;
if (values.runtime && !gpu.gpuProvider) {
  if (gpu.gpuRuntime.state === 'unsupported') install = { installed: false, detail: gpu.gpuRuntime.detail };
  else {
    log(`installing the NVIDIA GPU runtime from ${values.runtime}`);
    install = await installRuntime(values.runtime);
    log(install.installed ? `installed: ${install.detail}` : `not installed: ${install.detail}`);
    if (install.installed) gpu = doctorInChild();
  }
}
for (const provider of gpu.providers) log(`${provider.works ? '[ok]' : '[--]'} ${provider.name}${provider.detail ? ` — ${provider.detail}` : ''}`);

const goldens: Array<ChildRun<GoldenRunSummary> & { readonly compute: 'fp32' | 'fp16'; readonly provider: string }> = [];
const timings: Array<ChildRun<TimingResult> & { readonly label: string }> = [];
const skipped: string[] = [];
const provider = gpu.gpuProvider;

if (!provider) {
  log('no GPU provider available');
  for (const line of missingLines(gpu)) log(`  ${line}`);
  log(`CPU part: the fp16-compute graphs against the goldens on the CPU (${CPU_PART_SUITES.join(', ')})`);
  goldens.push({ compute: 'fp16', provider: 'cpu', ...(await runChild<GoldenRunSummary>('goldens-child.ts', [fixtures, 'fp16', ...CPU_PART_SUITES], { GOLDEN_PROVIDER: 'cpu', GOLDEN_COMPUTE: 'fp16' }, secondsLeft())) });
} else {
  log(`GPU provider: ${provider}`);
  for (const compute of ['fp32', 'fp16'] as const) {
    if (secondsLeft() < 60) {
      skipped.push(`goldens ${compute}: the time budget ran out`);
      continue;
    }
    log(`goldens on ${provider}, ${compute} compute`);
    const env = { GOLDEN_PROVIDER: provider, NVIDIA_TF32_OVERRIDE: '0', ...(compute === 'fp16' ? { GOLDEN_COMPUTE: 'fp16' } : {}) };
    goldens.push({ compute, provider, ...(await runChild<GoldenRunSummary>('goldens-child.ts', [fixtures, compute, ...GRAPH_SUITES], env, secondsLeft())) });
  }
  const plan = [
    { base: 'sd15', size: 512, compute: 'fp16' },
    { base: 'sd15', size: 512, compute: 'fp32' },
    { base: 'sdxl', size: 1024, compute: 'fp16' },
    { base: 'sdxl', size: 1024, compute: 'fp32' },
  ] as const;
  for (const { base, size, compute } of values['no-timings'] ? [] : plan) {
    const label = `${base} ${size}² ${compute}`;
    if (secondsLeft() < 45) {
      skipped.push(`timing ${label}: the time budget ran out`);
      continue;
    }
    log(`timing ${label} on ${provider}`);
    const run = await runChild<TimingResult>('timings-child.ts', [base, String(size), compute, provider, cacheRoot], {}, secondsLeft());
    timings.push({ label, ...run });
    log(run.ok ? `${label}: UNet step ${run.result!.unetStep.seconds.toFixed(3)} s, VAE decode ${run.result!.vaeDecode.seconds.toFixed(3)} s` : `${label}: ${run.error}`);
  }
  if (values['no-timings']) skipped.push('timings: --no-timings');
}

const goldensPassed = goldens.every((g) => g.ok && g.result && g.result.failed === 0);
const status = !provider ? 'no GPU provider available' : goldensPassed && timings.every((t) => t.ok) ? 'passed' : 'failed';
const report = {
  schemaVersion: 1,
  status,
  /** Without a GPU provider: whether the CPU part (fp16-compute graphs on the CPU) passed. */
  cpuPartPassed: provider ? null : goldensPassed,
  startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
  durationSeconds: (performance.now() - started) / 1000,
  machine,
  gpu,
  missing: provider ? [] : missingLines(gpu),
  runtimeInstall: install,
  fp16ComputeTolerances: FP16_COMPUTE_TOLERANCES,
  goldenNote: 'goldens run with NVIDIA_TF32_OVERRIDE=0 (fp32 MatMul/Conv without TF32); fp16 compute at fp16ComputeTolerances, all other goldens at the fixture READMEs\' fp32 tolerances',
  goldens,
  timings,
  skipped,
};
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
for (const run of goldens) {
  const summary = run.result ? `${run.result.passed} passed, ${run.result.failed} failed in ${run.result.seconds.toFixed(0)} s` : run.error;
  log(`goldens ${run.provider} ${run.compute}: ${summary}`);
  for (const failure of run.result?.failures.slice(0, 10) ?? []) log(`  FAIL ${failure.name}: ${failure.error} > ${failure.tolerance} ${failure.metric}`);
}
for (const line of skipped) log(`skipped ${line}`);
log(`${status}; report written to ${outFile}`);
if (!provider) log(`CPU part ${goldensPassed ? 'passed' : 'FAILED'}`);
process.exit(status === 'failed' || (!provider && (!goldensPassed || values['require-gpu'])) ? 1 : 0);
