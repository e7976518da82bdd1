// Running a generation from the CLI (`faceid generate`, `faceid fix-face`): the engine jobs of one request (several
// for best-of-N) with a progress bar per pass, then the choices made by identity score — which of a best-of-N batch
// are kept, and whether a face detail pass's result or the picture before it is kept — as the studio makes them.
import { StudioError } from '../base/errors.ts';
import type { EngineClient } from '../engine/worker/engine-client.ts';
import type { JobImage, JobProgressEvent, JobStageEvent } from '../engine/worker/protocol.ts';
import type { GenerationParams } from '../../src-preload/contract/generation.ts';
import type { AnnotatorFiles } from '../engine/control/control-image.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import type { GoldenReplay } from '../engine/pipeline/golden-replay.ts';
import { bestOfSubmissions, rankByIdentity } from '../app/best-of.ts';
import { checkFacePass } from '../app/face-pass-check.ts';
import type { CliIo } from './command.ts';
import type { IdentityScorer } from './identity-scorer.ts';
import { progressBar, type ProgressBar } from './progress.ts';

export interface ChosenImage {
  readonly image: JobImage;
  /** The picture written: the engine's, or the one before the face pass when the identity check kept it. */
  readonly png: Uint8Array;
  readonly parameters: string;
  readonly identityScore?: number | null;
  /** Best-of-N: 1 = most like the character; `kept` false for a rejected one written on request. */
  readonly rank?: number;
  readonly kept: boolean;
  /** The picture before the face pass, when the pass's result is what is written. */
  readonly before?: Uint8Array;
}

/** Runs the request's engine jobs (one, or best-of-N's one per seed) and returns their images in seed order. */
export async function runEngineJobs(engine: EngineClient, params: GenerationParams, extras: { ip?: IpConditioning; replay?: GoldenReplay; annotators?: AnnotatorFiles; previewDecoder?: string }, io: CliIo): Promise<{ images: JobImage[]; elapsedSeconds: number }> {
  const submissions = bestOfSubmissions(params);
  const ids = submissions.map((single) => engine.submit(single, extras));
  let bar: ProgressBar | undefined;
  let shown = '';
  const onProgress = (p: JobProgressEvent) => {
    const index = ids.indexOf(p.jobId);
    if (index < 0) return;
    const label = `${p.pass}${ids.length > 1 ? ` ${index + 1}/${ids.length}` : ''}`;
    if (label !== shown) {
      bar?.finish();
      bar = progressBar(label, io.stderr);
      shown = label;
    }
    bar!.update(p.step, p.total, `${p.itPerSec.toFixed(2)} it/s, ETA ${Math.ceil(p.etaSeconds)} s`);
  };
  // Compiling on first use and opening a full-size UNet take minutes: say so rather than sit at 0 %.
  const onStage = (e: JobStageEvent) => {
    if (ids.includes(e.jobId)) io.stderr.write(`${e.stage === 'compiling' ? 'Compiling the model for first use: ' : ''}${e.detail}…\n`);
  };
  engine.on('progress', onProgress);
  engine.on('stage', onStage);
  const onAbort = () => ids.forEach((id) => engine.cancel(id));
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await Promise.all(ids.map((id) => engine.waitFor(id)));
    const failed = results.find((r) => r.state !== 'done' || !r.images);
    if (failed) {
      ids.forEach((id) => engine.cancel(id));
      const error = failed.error ?? { code: 'internal' as const, userMessage: `The job ended as ${failed.state}.` };
      throw new StudioError(error.code, { userMessage: error.userMessage, ...(error.hint ? { hint: error.hint } : {}) });
    }
    const images = results.flatMap((r) => r.images ?? []);
    bar?.finish(`(${images.length} image${images.length === 1 ? '' : 's'})`);
    return { images, elapsedSeconds: results.reduce((sum, r) => sum + (r.elapsedSeconds ?? 0), 0) };
  } finally {
    engine.off('progress', onProgress);
    engine.off('stage', onStage);
    io.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The pictures to write and what to tell the user. `source`: the picture a "Fix face" run repainted (it is the
 * picture before the pass). Without a scorer nothing is checked or ranked.
 */
export async function chooseImages(images: readonly JobImage[], params: GenerationParams, scorer: IdentityScorer | undefined, source?: Uint8Array): Promise<{ chosen: ChosenImage[]; notes: string[] }> {
  const notes = new Set<string>();
  const scored = [];
  for (const image of images) {
    if (image.faceDetail?.skipped) notes.add(image.faceDetail.skipped);
    const before = image.faceDetail?.before?.png ?? ((image.faceDetail?.repainted ?? 0) > 0 ? source : undefined);
    const identityScore = scorer ? await scorer.score(image.png) : undefined;
    const beforeScore = scorer && before ? await scorer.score(before) : null;
    const verdict = before && identityScore !== undefined ? checkFacePass(beforeScore, identityScore, params.faceDetail?.identityCheck ?? false) : { keepBefore: false };
    if (verdict.note) notes.add(verdict.note);
    const keptBefore = verdict.keepBefore && before !== undefined;
    scored.push({
      image,
      png: keptBefore ? before : image.png,
      parameters: keptBefore ? (image.faceDetail?.before?.parameters ?? '') : image.parameters,
      ...(identityScore === undefined ? {} : { identityScore: keptBefore ? beforeScore : identityScore }),
      ...(before && !keptBefore ? { before } : {}),
    });
  }
  const bestOf = params.bestOf;
  if (!bestOf) return { chosen: scored.map((s) => ({ ...s, kept: true })), notes: [...notes] };
  const ranked = rankByIdentity(scored.map((s) => ({ item: s, score: s.identityScore ?? null })), bestOf.keep);
  notes.add(`Best ${bestOf.keep} of ${bestOf.count} by identity score kept; the other ${bestOf.count - bestOf.keep} ${bestOf.keepRejected ? 'are written with -rejected in their names' : 'were discarded'}.`);
  return { chosen: ranked.filter((r) => r.kept || bestOf.keepRejected).map((r) => ({ ...r.item, rank: r.rank, kept: r.kept })), notes: [...notes] };
}
