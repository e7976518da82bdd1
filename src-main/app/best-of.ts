// Best-of-N: a job that makes N images (seed, seed + 1, …) and keeps the K most like the character. The engine makes
// each image as its own single-image job; each is scored as it arrives, and the ranking is decided once all are in.
import type { GenerationParams } from '../../src-preload/contract/generation.ts';

/** The single-image jobs of a best-of-N job (or the job itself when it is none), each with the parameters that make exactly it. */
export function bestOfSubmissions(params: GenerationParams): GenerationParams[] {
  const { bestOf, ...single } = params;
  if (bestOf === undefined) return [params];
  return Array.from({ length: bestOf.count }, (_, i) => ({ ...single, seed: params.seed + i, batchSize: 1 }));
}

export interface Ranked<T> {
  readonly item: T;
  readonly score: number | null;
  /** 1 = most like the character. */
  readonly rank: number;
  readonly kept: boolean;
}

/**
 * Best first: measured scores high to low, then images where no face was found (null: never better than a face);
 * equal scores keep the order the images were made in. The first `keep` are kept.
 */
export function rankByIdentity<T>(candidates: readonly { readonly item: T; readonly score: number | null }[], keep: number): Ranked<T>[] {
  return candidates
    .map((candidate, order) => ({ ...candidate, order }))
    .sort((a, b) => (b.score ?? Number.NEGATIVE_INFINITY) - (a.score ?? Number.NEGATIVE_INFINITY) || a.order - b.order)
    .map(({ item, score }, i) => ({ item, score, rank: i + 1, kept: i < keep }));
}
