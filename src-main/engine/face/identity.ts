// How much a generated image still looks like the character: cosine similarity of ArcFace embeddings.
// A character's embedding is the mean of its chosen references' normalised embeddings, normalised again, so every
// reference counts equally and the result lives on the same unit sphere as a single face's embedding
// (cosine with it is then a plain dot product, comparable across characters with different reference counts).
import { StudioError } from '../../base/errors.ts';
import { l2Normalize } from './embed.ts';

/** Mean of the references' L2-normalised embeddings, renormalised to length 1. */
export function characterEmbedding(embeddings: readonly ArrayLike<number>[]): Float32Array {
  const first = embeddings[0];
  if (!first) {
    throw new StudioError('face.no-references', {
      userMessage: 'This character has no reference with a usable face, so there is no identity to compare with.',
      hint: 'Add a photo where the face is clearly visible, or choose a face in one of the references.',
    });
  }
  const sum = new Float64Array(first.length);
  for (const embedding of embeddings) {
    if (embedding.length !== first.length) throw new RangeError(`embeddings differ in length (${embedding.length} vs ${first.length})`);
    const unit = l2Normalize(embedding);
    for (let i = 0; i < sum.length; i++) sum[i]! += unit[i]!;
  }
  return l2Normalize(sum);
}

/** cos(a, b) = a·b / (‖a‖‖b‖); 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cannot compare embeddings of length ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** The identity score of one image: the most similar face, or no face at all (never recorded as 0). */
export type IdentityScore = { readonly kind: 'face'; readonly score: number; readonly faceIndex: number } | { readonly kind: 'no-face' };

/** Cosine similarity between the character and the most similar face found in an image. */
export function identityScore(character: ArrayLike<number>, imageFaces: readonly { readonly embedding: ArrayLike<number> }[]): IdentityScore {
  let best: IdentityScore = { kind: 'no-face' };
  imageFaces.forEach((face, faceIndex) => {
    const score = cosineSimilarity(character, face.embedding);
    if (best.kind === 'no-face' || score > best.score) best = { kind: 'face', score, faceIndex };
  });
  return best;
}
