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
 * SD1.5 UNet: 1.7 GB file → 4.5 GB resident, 15 s to open). Compact keeps basic optimisations but no constant
 * folding, so each Cast runs right before its layer (graph-builder.ts initializerNodesFirst) and the weights stay
 * mapped from the file: 2.6 s to open. Same results (the Cast is the same arithmetic, only later).
 *
 * Intermediates come from onnxruntime's arena (MEMORY below). Measured on that UNet at 512² (CFG batch 2, three steps
 * each): 2.43 GB peak, steady, 9.5 s a step; with plain malloc instead of the arena, 2.9–3.2 GB, growing from step to
 * step as glibc's heap fragments, and 10.7 s a step.
 */
const COMPACT: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'basic',
  extra: { optimization: { disable_specified_optimizers: 'ConstantFolding' } },
};

/**
 * Every session: onnxruntime's arena without a memory pattern. A pattern's block comes on top of what the first run
 * left in the arena: measured at 512², a VAE decoder held 1.83 GB after one decode and 3.07 GB after two with it, 1.81
 * GB steady without, at the same speed; an expanded UNet step was 8.3–8.6 s without it and 8.7–9.1 s with it.
 */
const MEMORY: ort.InferenceSession.SessionOptions = { enableCpuMemArena: true, enableMemPattern: false };

/** Creates a session from a model *path* (external data resolves against the model's folder). */
export async function openSession(modelPath: string, options: OpenSessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      ...MEMORY,
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
