// Opens onnxruntime sessions from model files. Execution-provider choice and caching grow here (runtime issue).
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';

export interface OpenSessionOptions {
  /** Providers to try in order (names or configs from execution-providers.ts); default CPU. */
  readonly executionProviders?: readonly ort.InferenceSession.ExecutionProviderConfig[];
  /** Options a provider needs (execution-providers.ts: DirectML turns memory patterns off). */
  readonly providerSessionOptions?: Pick<ort.InferenceSession.SessionOptions, 'enableMemPattern' | 'executionMode'>;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly intraOpNumThreads?: number;
  /** Keep the weights as the file stores them (fp16 stays fp16) instead of expanded fp32 copies; see COMPACT below. */
  readonly compactWeights?: boolean;
}

/**
 * Compact weights. By default onnxruntime folds each fp16 weight's Cast into an fp32 copy and prepacks it (a full-size
 * SD1.5 UNet: 1.7 GB file → 4.5 GB resident, 15 s to open), and its arena keeps every intermediate it ever held.
 * Compact keeps basic optimisations but no constant folding, so each Cast runs when its layer does, and allocates
 * intermediates per run: measured on that UNet at 256², 1.8 GB resident, 2.6 s to open, ≈ 1.6× slower per step on
 * CPU. Same results (the Cast is the same arithmetic, only later).
 */
const COMPACT: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'basic',
  enableCpuMemArena: false,
  enableMemPattern: false,
  extra: { optimization: { disable_specified_optimizers: 'ConstantFolding' } },
};

/** Creates a session from a model *path* (external data resolves against the model's folder). */
export async function openSession(modelPath: string, options: OpenSessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
      ...(options.compactWeights ? COMPACT : {}),
      ...options.providerSessionOptions,
    });
  } catch (cause) {
    throw new StudioError('generate.runtime-failed', {
      userMessage: `The model ${modelPath} could not be loaded by onnxruntime: ${(cause as Error).message}`,
      hint: 'If the file was compiled by an older version, delete the compiled cache and try again.',
      cause,
    });
  }
}
