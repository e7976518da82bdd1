// The identity check after a face detail pass: the pass is there to make the face more like the character, so when
// it makes the picture less like it (by the identity score), the picture before the pass is kept instead.
// Shared by the job runner and `faceid generate` / `faceid fix-face`.

export interface FacePassVerdict {
  /** True: keep the picture from before the pass. */
  readonly keepBefore: boolean;
  /** What to tell the user, when there is something to tell. */
  readonly note?: string;
}

const shown = (score: number | null): string => (score === null ? 'no face' : score.toFixed(3));

/**
 * `before`/`after`: identity scores (null = no face found, or not measured). Only a measured drop counts: a picture
 * whose face the recognizer no longer finds after the pass also counts as a drop.
 */
export function checkFacePass(before: number | null, after: number | null, identityCheck: boolean): FacePassVerdict {
  if (!identityCheck || before === null) return { keepBefore: false };
  if (after !== null && after >= before) return { keepBefore: false };
  return { keepBefore: true, note: `The face detail pass lowered the identity score (${shown(before)} → ${shown(after)}), so the picture from before the pass was kept.` };
}
