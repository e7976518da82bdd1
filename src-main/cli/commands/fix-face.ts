// `faceid fix-face IMAGE --model CKPT --faceid ADAPTER --character NAME`: the face detail pass on an existing picture
// — its faces repainted with the character's FaceID conditioning, at the model's native size, blended back — with
// the identity check: when the repaint looks less like the character, the picture is left as it was and the run says
// so. The prompt, negative prompt, steps, CFG, sampler and seed come from the picture's A1111 parameters when it has
// them (options override). Writes <name>-fixed.png beside the picture, or into --out.
import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { validateGenerationParams } from '../../engine/pipeline/generate.ts';
import { EngineClient } from '../../engine/worker/engine-client.ts';
import type { GenerationParamsInput } from '../../../src-preload/contract/generation.ts';
import { recallInfotext } from '../../../src-preload/contract/infotext.ts';
import { readPngTexts } from '../../../src-preload/contract/png-text.ts';
import { defaultEngineOptions } from '../../app/engine-options.ts';
import { readEnvironment } from '../../app/environment.ts';
import { withPromptLoras } from '../../app/prompt-loras.ts';
import { defaultStudioDir } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';
import { FACE_DETAIL_OPTIONS, FACE_DETAIL_USAGE, faceDetailFromArgs } from '../face-detail-args.ts';
import { FACE_OPTIONS, FACE_USAGE, faceIdChoiceFromArgs, faceModelsFolderFromArgs, faceTokensForGeneration } from '../face-generation.ts';
import { chooseImages, runEngineJobs } from '../generation-run.ts';
import { openIdentityScorer } from '../identity-scorer.ts';

const USAGE = `faceid fix-face IMAGE --model CKPT [--prompt TEXT] [--negative TEXT] [--steps N] [--seed N] [--out DIR] [--json] ${FACE_USAGE} ${FACE_DETAIL_USAGE.replace('--face-detail ', '')}`;

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  ...FACE_OPTIONS,
  ...FACE_DETAIL_OPTIONS,
} as const;

function invalid(userMessage: string): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, hint: `Usage: ${USAGE}` });
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/u.test(value)) throw invalid(`--${name} must be a whole number, got "${value}".`);
  return Number(value);
}

/** The engine's size limits for the parameters' size (the pass works on the picture at its own size). */
const sizeForParameters = (side: number): number => Math.min(2048, Math.max(64, Math.round(side / 8) * 8));

export const command: CliCommand = {
  name: 'fix-face',
  summary: 'Repaint the faces of an image with the character\'s FaceID (face detail pass, identity-checked)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(command, args, OPTIONS);
    if (positionals.length !== 1) throw invalid('Give exactly one IMAGE to fix.');
    const image = path.resolve(positionals[0]!);
    if (!values.model) throw invalid('--model is required (the checkpoint to repaint with).');
    const faceid = faceIdChoiceFromArgs(values);
    if (!faceid) throw invalid('--faceid ADAPTER with --character NAME (or --face IMG…) is required: the pass repaints the face as that person.');
    const png = new Uint8Array(await readFile(image).catch((cause: unknown) => {
      throw new StudioError('image.unsupported-format', { userMessage: `The image ${image} could not be read.`, hint: 'Check the path.', cause });
    }));
    const meta = await sharp(png).metadata().catch(() => ({ width: undefined, height: undefined }));
    if (!meta.width || !meta.height) throw new StudioError('image.unsupported-format', { userMessage: `${image} is not an image this studio reads.`, hint: 'Use a PNG, JPEG or WebP file.' });
    const recalled = readPngTexts(png).parameters === undefined ? undefined : recallInfotext(readPngTexts(png).parameters!).params;
    const input: GenerationParamsInput = {
      model: path.resolve(values.model),
      prompt: values.prompt ?? recalled?.prompt ?? '',
      negativePrompt: values.negative ?? recalled?.negativePrompt ?? '',
      seed: wholeNumber('seed', values.seed) ?? recalled?.seed ?? randomInt(0, 2 ** 32),
      steps: wholeNumber('steps', values.steps) ?? recalled?.steps ?? 20,
      cfg: recalled?.cfg ?? 7,
      sampler: recalled?.sampler ?? 'Euler a',
      clipSkip: recalled?.clipSkip ?? 1,
      width: sizeForParameters(meta.width),
      height: sizeForParameters(meta.height),
      faceid,
      faceDetail: { ...faceDetailFromArgs(values, true), sourceImage: image },
    };
    const validated = validateGenerationParams(input);
    const params = validateGenerationParams(await withPromptLoras(validated, async () => []));
    const environment = readEnvironment();
    const engineOptions = defaultEngineOptions(environment);
    const faceModelsFolder = faceModelsFolderFromArgs(values, environment);
    const ip = await faceTokensForGeneration(params.faceid!, { model: params.model, cacheDir: engineOptions.cacheDir, values, io });
    const scorer = params.faceDetail!.identityCheck
      ? await openIdentityScorer(params.faceid!, { faceModelsFolder, cacheDir: engineOptions.cacheDir, studioDir: defaultStudioDir(environment), signal: io.signal })
      : undefined;
    try {
      const engine = EngineClient.start({ ...engineOptions, faceModelsFolder, previewEvery: 0 });
      try {
        const { images } = await runEngineJobs(engine, params, { ip }, io);
        const { chosen, notes } = await chooseImages(images, params, scorer, png);
        for (const note of notes) io.stderr.write(`${note}\n`);
        const [result] = chosen;
        const changed = result !== undefined && result.before !== undefined;
        const file = path.join(values.out ? path.resolve(values.out) : path.dirname(image), `${path.parse(image).name}-fixed.png`);
        if (changed) {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, result.png);
        }
        const report = { image, fixed: changed ? file : null, faces: result?.image.faceDetail?.repainted ?? 0, ...(result?.identityScore === undefined ? {} : { identityScore: result.identityScore }), notes };
        io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : changed ? `${file}\n` : `${image}: unchanged\n`);
        return 0;
      } finally {
        await engine.close();
      }
    } finally {
      await scorer?.close();
    }
  },
};
