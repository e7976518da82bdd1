// The face detail pass's options, shared by `faceid generate` and `faceid fix-face`:
// --face-detail [--face-detail-strength X] [--face-detail-prompt TEXT] [--face-detail-faces largest|all|N]
// [--face-detail-size PX] [--face-detail-min-size PX] [--no-identity-check].
import type { FaceDetail } from '../../src-preload/contract/generation.ts';
import { StudioError } from '../base/errors.ts';
import { numberOption } from './command.ts';

export const FACE_DETAIL_USAGE =
  '[--face-detail [--face-detail-strength X] [--face-detail-prompt TEXT] [--face-detail-faces largest|all|N] [--face-detail-size PX] [--face-detail-min-size PX] [--no-identity-check]]';

export const FACE_DETAIL_OPTIONS = {
  'face-detail': { type: 'boolean' },
  'face-detail-strength': { type: 'string' },
  'face-detail-prompt': { type: 'string' },
  'face-detail-faces': { type: 'string' },
  'face-detail-size': { type: 'string' },
  'face-detail-min-size': { type: 'string' },
  'no-identity-check': { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function invalid(userMessage: string): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, hint: `Face detail options: ${FACE_DETAIL_USAGE}` });
}

/** The pass's settings (input form: the schema fills the defaults), or undefined without `enabled`. */
export function faceDetailFromArgs(values: Values, enabled = values['face-detail'] === true): Partial<FaceDetail> | undefined {
  const names = Object.keys(FACE_DETAIL_OPTIONS).filter((k) => k !== 'face-detail' && values[k] !== undefined);
  if (!enabled) {
    if (names.length > 0) throw invalid(`--${names[0]} needs --face-detail.`);
    return undefined;
  }
  const faces = values['face-detail-faces'] as string | undefined;
  if (faces !== undefined && !/^(largest|all|\d+)$/u.test(faces)) throw invalid(`--face-detail-faces must be largest, all or a face number from 1, got "${faces}".`);
  if (faces !== undefined && /^\d+$/u.test(faces) && Number(faces) < 1) throw invalid('--face-detail-faces numbers faces from 1.');
  const strength = numberOption(values, 'face-detail-strength', invalid);
  const size = numberOption(values, 'face-detail-size', invalid);
  const minSize = numberOption(values, 'face-detail-min-size', invalid);
  const prompt = values['face-detail-prompt'] as string | undefined;
  return {
    ...(faces === undefined ? {} : { faces: faces === 'largest' || faces === 'all' ? faces : Number(faces) - 1 }),
    ...(strength === undefined ? {} : { strength }),
    ...(size === undefined ? {} : { size }),
    ...(minSize === undefined ? {} : { minSize }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(values['no-identity-check'] ? { identityCheck: false } : {}),
  };
}
