// The FaceID part of `faceid generate`: --faceid ADAPTER --face IMG… [--face-weight X] [--structure X]
// [--lora-weight X] [--combine average|concatenate] [--face-models DIR] [--image-encoder DIR]. Turns the reference photos
// into the IP tokens the engine takes (the adapter's own LoRA is applied by the engine with --lora-weight).
import path from 'node:path';
import { numberOption, type CliIo } from './command.ts';
import { StudioError } from '../base/errors.ts';
import { loadFaceModels, releaseFaceModels } from '../engine/face/models.ts';
import { compileModel, readConfigFolder } from '../engine/models/compile.ts';
import { openSession } from '../engine/onnx/session.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import { prepareFaceConditioning } from '../engine/pipeline/face-conditioning.ts';
import type { FaceIdChoice } from '../../src-preload/contract/generation.ts';
import { readEnvironment } from '../app/environment.ts';
import { defaultStudioDir } from '../models/studio-paths.ts';
import { characterFaceTokens } from './character-faceid.ts';
import { defaultFaceModelsFolder } from './commands/embed.ts';

export const FACE_USAGE = '[--faceid ADAPTER (--face IMG… | --character NAME_OR_ID) [--face-weight X] [--structure X] [--lora-weight X] [--combine average|concatenate] [--face-models DIR] [--image-encoder DIR]]';

export const FACE_OPTIONS = {
  faceid: { type: 'string' },
  face: { type: 'string', multiple: true },
  character: { type: 'string' },
  'face-weight': { type: 'string' },
  structure: { type: 'string' },
  'lora-weight': { type: 'string' },
  combine: { type: 'string' },
  'face-models': { type: 'string' },
  'image-encoder': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function invalid(userMessage: string): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, hint: `FaceID options: ${FACE_USAGE}` });
}

/** The `faceid` generation parameter from the command line, or undefined without --faceid. */
export function faceIdChoiceFromArgs(values: Values): Partial<FaceIdChoice> & { adapter: string; faces: string[] } | undefined {
  const adapter = values['faceid'] as string | undefined;
  const faces = (values['face'] as string[] | undefined) ?? [];
  const character = values['character'] as string | undefined;
  if (!adapter) {
    if (faces.length > 0 || character !== undefined) throw invalid(`--${character === undefined ? 'face' : 'character'} needs --faceid ADAPTER (the IP-Adapter FaceID file).`);
    return undefined;
  }
  if (character !== undefined && faces.length > 0) throw invalid('Use either --face IMG… or --character NAME_OR_ID, not both.');
  if (faces.length === 0 && character === undefined) throw invalid('--faceid needs at least one --face IMG (a photo of the person) or --character NAME_OR_ID (a character of the studio library).');
  const combine = values['combine'] as string | undefined;
  if (combine !== undefined && combine !== 'average' && combine !== 'concatenate') throw invalid(`--combine must be average or concatenate, got "${combine}".`);
  const faceWeight = numberOption(values, 'face-weight', invalid);
  const structure = numberOption(values, 'structure', invalid);
  const loraWeight = numberOption(values, 'lora-weight', invalid);
  return {
    adapter: path.resolve(adapter),
    faces: faces.map((f) => path.resolve(f)),
    ...(character === undefined ? {} : { characterId: character }),
    ...(faceWeight === undefined ? {} : { faceWeight }),
    ...(structure === undefined ? {} : { structure }),
    ...(loraWeight === undefined ? {} : { loraWeight }),
    ...(combine ? { combine } : {}),
  };
}

/** --face-models DIR, else FACEID_FACE_MODELS, else the studio's models folder. */
export function faceModelsFolderFromArgs(values: Values, environment = readEnvironment()): string {
  return values['face-models'] ? path.resolve(values['face-models'] as string) : defaultFaceModelsFolder(environment);
}

/** Analyses the reference photos and projects them: the IP tokens for the engine, with notes about each photo on stderr. */
export async function faceTokensForGeneration(choice: FaceIdChoice, options: { model: string; cacheDir: string; configDir?: string; values: Values; io: CliIo }): Promise<IpConditioning> {
  const { values, io } = options;
  const environment = readEnvironment();
  const faceModelsFolder = faceModelsFolderFromArgs(values, environment);
  if (choice.characterId !== undefined) {
    const { ip, character } = await characterFaceTokens(choice, choice.characterId, { faceModelsFolder, cacheDir: options.cacheDir, signal: io.signal, studioDir: defaultStudioDir(environment) });
    io.stderr.write(`FaceID from character "${character.name}" (${character.referenceCount} photo${character.referenceCount === 1 ? '' : 's'})\n`);
    return ip;
  }
  const faceModels = await loadFaceModels(faceModelsFolder);
  let imageEncoder: Awaited<ReturnType<typeof openSession>> | undefined;
  try {
    const encoderSource = values['image-encoder'] as string | undefined;
    if (encoderSource) {
      const configs = options.configDir ? await readConfigFolder(options.configDir) : undefined;
      const compiled = await compileModel(options.model, { cacheDir: options.cacheDir, ...(configs ? { configs } : {}), adapter: choice.adapter, imageEncoder: path.resolve(encoderSource), ...(options.io.signal ? { signal: options.io.signal } : {}) });
      imageEncoder = await openSession(compiled.imageEncoder!.path);
    }
    const result = await prepareFaceConditioning(
      { adapter: choice.adapter, references: choice.faces.map((file) => ({ file })), structure: choice.structure, combine: choice.combine },
      { faceModels, cacheDir: options.cacheDir, ...(imageEncoder ? { imageEncoder } : {}), signal: io.signal },
    );
    for (const { label, analysis } of result.references) {
      io.stderr.write(`${label}: ${analysis.verdict.message}\n`);
      for (const line of [...analysis.notes, ...analysis.verdict.advice]) io.stderr.write(`  - ${line}\n`);
    }
    return { cond: result.cond, uncond: result.uncond, count: result.count, scale: choice.faceWeight };
  } finally {
    await imageEncoder?.release();
    await releaseFaceModels(faceModels);
  }
}
