// Opens onnxruntime sessions from model files. Execution-provider choice and caching grow here (runtime issue).
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../base/errors.ts';

export interface OpenSessionOptions {
  /** Providers to try in order; CPU is always the last resort. */
  readonly executionProviders?: readonly string[];
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly intraOpNumThreads?: number;
}

/** Creates a session from a model *path* (external data resolves against the model's folder). */
export async function openSession(modelPath: string, options: OpenSessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    });
  } catch (cause) {
    throw new StudioError('generate.runtime-failed', {
      userMessage: `The model ${modelPath} could not be loaded by onnxruntime: ${(cause as Error).message}`,
      hint: 'If the file was compiled by an older version, delete the compiled cache and try again.',
      cause,
    });
  }
}
