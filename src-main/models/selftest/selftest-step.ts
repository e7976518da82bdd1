// What one self-test step is and what it runs with: run-selftest.ts runs the install steps and the pipeline steps
// of pipeline-steps.ts in order, on one context.
import type { FaceTokens } from '../../engine/models/face-tokens.ts';
import type { TinyModelSet } from './tiny-model-set.ts';

export interface SelftestContext {
  readonly set: TinyModelSet;
  readonly signal?: AbortSignal;
  /** Decoded reference picture, RGB, REFERENCE_SIZE². */
  readonly referenceRgb: Uint8Array;
  /** What one pipeline step hands to the next. */
  readonly state: { embedding?: Float32Array; tokens?: FaceTokens; generatedPng?: Uint8Array };
}

export interface SelftestStep {
  readonly name: string;
  /** Resolves with a one-line detail; throws (with a message a user can act on) when the step fails. */
  run(context: SelftestContext): Promise<string>;
}
