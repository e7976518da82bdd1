// The self-test: on the tiny model set (no download), check each layer a new install depends on, so a
// broken install is told apart from a missing model. Steps run in order and stop at the first failure.
//
// Install steps (identification, onnxruntime on the face models) come first, then the generation pipeline
// steps of pipeline-steps.ts: face → embedding → FaceID tokens → txt2img → identity score.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { createIdentifier } from '../identify.ts';
import type { ModelIdentity } from '../identity.ts';
import { PIPELINE_STEPS } from './pipeline-steps.ts';
import type { SelftestContext, SelftestStep } from './selftest-step.ts';
import { detectorBlob, REFERENCE_SIZE } from './tiny-face-models.ts';
import { ensureTinyModelSet, type TinyModelSet, type TinySetRole } from './tiny-model-set.ts';

export interface SelftestStepResult {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'not-run';
  readonly detail: string;
  readonly durationMs: number;
}

export interface SelftestReport {
  readonly passed: boolean;
  /** Every step ran and passed (false when one failed or was skipped). */
  readonly complete: boolean;
  readonly steps: readonly SelftestStepResult[];
  readonly modelFolder: string;
  readonly durationMs: number;
}


const EXPECTED: Record<Exclude<TinySetRole, 'reference'>, Partial<ModelIdentity>> = {
  checkpoint: { kind: 'checkpoint', base: 'sd15', isFullSize: false },
  adapter: { kind: 'ip-adapter', base: 'sd15', variant: 'faceid', hasEmbeddedLora: true },
  detector: { kind: 'face-detector' },
  recognizer: { kind: 'face-recognizer' },
  vocab: { kind: 'tokenizer-vocab' },
  merges: { kind: 'tokenizer-merges' },
};

const identifyStep: SelftestStep = {
  name: 'identify models by content',
  async run({ set }) {
    const identify = createIdentifier();
    for (const [role, expected] of Object.entries(EXPECTED) as Array<[keyof typeof EXPECTED, Partial<ModelIdentity>]>) {
      const identity = await identify(set.files[role]);
      for (const [key, value] of Object.entries(expected)) {
        if ((identity as Record<string, unknown> | null)?.[key] !== value) {
          throw new Error(`${set.files[role]} was identified as ${identity?.summary ?? 'nothing'}; expected ${key} = ${String(value)}.`);
        }
      }
    }
    return `${Object.keys(EXPECTED).length} models recognised`;
  },
};

/** Runs a one-input model and returns its outputs in the model's declared order (matched by position, spec §14). */
async function runSession(file: string, input: Float32Array, dims: number[]): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  try {
    const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
    return session.outputNames.map((name) => outputs[name]!);
  } finally {
    await session.release();
  }
}

const detectorStep: SelftestStep = {
  name: 'onnxruntime: face detector',
  async run({ set, referenceRgb }) {
    const outputs = await runSession(set.files.detector, detectorBlob(referenceRgb), [1, 3, REFERENCE_SIZE, REFERENCE_SIZE]);
    const scores = outputs.slice(0, 3).flatMap((t) => [...(t.data as Float32Array)]);
    const passing = scores.filter((s) => s >= 0.5);
    if (passing.length !== 1) throw new Error(`expected exactly one face candidate on the reference picture, got ${passing.length}.`);
    return `1 face candidate (score ${passing[0]!.toFixed(4)}) among ${scores.length} anchors`;
  },
};

const recognizerStep: SelftestStep = {
  name: 'onnxruntime: face recognizer',
  async run({ set, referenceRgb }) {
    // A plain 112×112 sample of the face area (alignment is the face room's job, checked by the pipeline steps).
    const blob = new Float32Array(3 * 112 * 112);
    for (let y = 0; y < 112; y += 1) {
      for (let x = 0; x < 112; x += 1) {
        const source = ((200 + Math.floor((y * 240) / 112)) * REFERENCE_SIZE + 200 + Math.floor((x * 240) / 112)) * 3;
        for (let c = 0; c < 3; c += 1) blob[c * 112 * 112 + y * 112 + x] = (referenceRgb[source + c]! - 127.5) / 127.5;
      }
    }
    const [output] = await runSession(set.files.recognizer, blob, [1, 3, 112, 112]);
    if (!output) throw new Error('the recognizer returned no output.');
    const values = output.data as Float32Array;
    const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
    if (values.length !== 512 || !Number.isFinite(norm) || norm === 0) throw new Error(`expected a 512-d embedding, got ${values.length} values with norm ${norm}.`);
    return `512-d embedding, norm ${norm.toFixed(3)}`;
  },
};

export const INSTALL_STEPS: readonly SelftestStep[] = [identifyStep, detectorStep, recognizerStep];

export async function runSelftest(options: { cacheDir: string; signal?: AbortSignal; onStep?: (result: SelftestStepResult) => void }): Promise<SelftestReport> {
  const started = performance.now();
  const results: SelftestStepResult[] = [];
  const report = (result: SelftestStepResult) => {
    results.push(result);
    options.onStep?.(result);
  };
  let set: TinyModelSet;
  try {
    set = await ensureTinyModelSet(options.cacheDir);
    report({ name: 'tiny model set', status: 'passed', detail: `${set.generated ? 'generated' : 'reused'} in ${set.folder}`, durationMs: set.durationMs });
  } catch (error) {
    report({ name: 'tiny model set', status: 'failed', detail: `could not be written to ${options.cacheDir}: ${(error as Error).message}`, durationMs: performance.now() - started });
    return { passed: false, complete: false, steps: results, modelFolder: options.cacheDir, durationMs: performance.now() - started };
  }
  const { data } = await sharp(await readFile(set.files.reference)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const context: SelftestContext = { set, referenceRgb: new Uint8Array(data), state: {}, ...(options.signal ? { signal: options.signal } : {}) };
  let failed = false;
  for (const step of [...INSTALL_STEPS, ...PIPELINE_STEPS]) {
    if (failed || options.signal?.aborted) {
      report({ name: step.name, status: 'not-run', detail: failed ? 'skipped after a failure' : 'cancelled', durationMs: 0 });
      continue;
    }
    const stepStarted = performance.now();
    try {
      const detail = await step.run(context);
      report({ name: step.name, status: 'passed', detail, durationMs: performance.now() - stepStarted });
    } catch (error) {
      failed = true;
      report({ name: step.name, status: 'failed', detail: (error as Error).message, durationMs: performance.now() - stepStarted });
    }
  }
  return {
    passed: !failed && !options.signal?.aborted,
    complete: results.every((r) => r.status === 'passed'),
    steps: results,
    modelFolder: set.folder,
    durationMs: performance.now() - started,
  };
}
