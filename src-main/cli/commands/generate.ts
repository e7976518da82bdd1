// `faceid generate`: txt2img / img2img / inpaint from the command line through the engine worker, with a progress
// bar; writes PNGs carrying the A1111 `parameters` text (and, with --json, a JSON file per image and a JSON summary
// on stdout). Compiled graphs go to the same cache as `faceid compile` ($FACEID_COMPILED_DIR, else <studio folder>/compiled); single-file checkpoints use
// the CLIP tokenizer from the models folder, else the one the app ships.
import { randomInt } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { detectModel } from '../../engine/io/detect.ts';
import { ARCHITECTURES } from '../../engine/models/architectures.ts';
import { validateGenerationParams } from '../../engine/pipeline/generate.ts';
import { readGoldenReplay } from '../../engine/pipeline/golden-replay.ts';
import { EngineClient } from '../../engine/worker/engine-client.ts';
import type { ProviderStatus } from '../../engine/onnx/session-pool.ts';
import type { JobImage } from '../../engine/worker/protocol.ts';
import { HIRES_UPSCALERS, SAMPLERS, type GenerationParamsInput, type HiresUpscaler, type Sampler, type SizeConditioning } from '../../../src-preload/contract/generation.ts';
import { EXECUTION_PROVIDERS, MODEL_MEMORY_MODES, type ModelMemoryMode, type Settings } from '../../../src-preload/contract/settings.ts';
import { defaultEngineOptions } from '../../app/engine-options.ts';
import { compactWeightsFor, preferredProvidersFor } from '../../app/engine-settings.ts';
import { readEnvironment } from '../../app/environment.ts';
import { embeddingFilesIn, withPromptEmbeddings } from '../../app/prompt-embeddings.ts';
import { withPromptLoras } from '../../app/prompt-loras.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';
import { annotatorsFromArgs, CONTROL_OPTIONS, CONTROL_USAGE, controlUnitsFromArgs } from '../control-args.ts';
import { FACE_OPTIONS, FACE_USAGE, faceIdChoiceFromArgs, faceModelsFolderFromArgs, faceTokensForGeneration } from '../face-generation.ts';
import { FACE_DETAIL_OPTIONS, FACE_DETAIL_USAGE, faceDetailFromArgs } from '../face-detail-args.ts';
import { chooseImages, runEngineJobs } from '../generation-run.ts';
import { openIdentityScorer } from '../identity-scorer.ts';
import { defaultStudioDir } from '../../models/studio-paths.ts';

const USAGE =
  'faceid generate --model CKPT --prompt TEXT [--negative TEXT] [--seed N] [--steps N] [--cfg X] [--sampler NAME] [--size WxH] ' +
  '[--batch N] [--clip-skip N] [--original-size WxH] [--target-size WxH] [--crop TOPxLEFT] [--init IMG --strength X] [--mask IMG [--mask-blur PX]] [--lora FILE:X]… ' +
  '[--hires X [--hires-steps N] [--hires-denoise X] [--hires-upscaler NAME]] ' +
  `${CONTROL_USAGE} ` +
  `${FACE_DETAIL_USAGE} [--best-of N --keep K [--keep-rejected]] [--memory auto|fast|compact] [--provider auto|cpu|cuda|dml|coreml|webgpu] [--vae FILE] [--draft --taesd FILE] [--embeddings-dir DIR] [--configs DIR] --out DIR [--json] ` +
  FACE_USAGE;

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  cfg: { type: 'string' },
  sampler: { type: 'string' },
  size: { type: 'string' },
  'original-size': { type: 'string' },
  'target-size': { type: 'string' },
  crop: { type: 'string' },
  batch: { type: 'string' },
  'clip-skip': { type: 'string' },
  init: { type: 'string' },
  strength: { type: 'string' },
  mask: { type: 'string' },
  'mask-blur': { type: 'string' },
  lora: { type: 'string', multiple: true },
  hires: { type: 'string' },
  'hires-steps': { type: 'string' },
  'hires-denoise': { type: 'string' },
  'hires-upscaler': { type: 'string' },
  ...FACE_DETAIL_OPTIONS,
  'best-of': { type: 'string' },
  keep: { type: 'string' },
  'keep-rejected': { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  memory: { type: 'string' },
  // A diffusers folder of the same model whose config.json files give what a single file's weights cannot.
  configs: { type: 'string' },
  vae: { type: 'string' },
  draft: { type: 'boolean' },
  taesd: { type: 'string' },
  // A1111's --embeddings-dir: textual-inversion files the prompts name by file stem.
  'embeddings-dir': { type: 'string' },
  provider: { type: 'string' },
  // Hidden test entry point (not in USAGE): --replay-golden FILE takes the noise, starting latents, prompt embeddings
  // and FaceID tokens from a pipeline golden (goldens/pipe_*.safetensors) instead of the seed, the prompt and the face
  // photos, so a whole run can be compared with diffusers; with --json each image's JSON then also holds its float
  // pixels (`imageHwc01`, HWC in [0,1]), as the PNG's 8-bit steps are coarser than the golden tolerance, and each
  // step's latents (`stepLatents`). An img2img/inpaint golden's float init image and mask replace the pixels of the
  // --init/--mask files, which still choose the mode.
  'replay-golden': { type: 'string' },
  ...FACE_OPTIONS,
  ...CONTROL_OPTIONS,
} as const;

const MAX_SEED = (1n << 64n) - 1n;

function invalid(userMessage: string, hint = `Usage: ${USAGE}`): StudioError {
  return new StudioError('generate.invalid-parameter', { userMessage, hint });
}

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw invalid(`--${name} must be a number, got "${value}".`);
  return n;
}

function parseSeed(value: string | undefined): number {
  if (value === undefined || value === '-1') return randomInt(0, 2 ** 32);
  if (!/^\d+$/u.test(value)) throw invalid(`--seed must be a whole number from 0 to 2^64−1 (or -1 for random), got "${value}".`);
  const seed = BigInt(value);
  if (seed > MAX_SEED) throw invalid(`--seed ${value} is beyond 2^64−1, the largest seed PyTorch accepts.`);
  if (seed > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(`--seed ${value} is larger than ${Number.MAX_SAFE_INTEGER}, the largest seed this version stores exactly.`, 'Use a smaller seed; only its low 32 bits pick the noise anyway.');
  }
  return Number(seed);
}

function parsePair(option: string, value: string, example: string): [number, number] {
  const match = /^(\d+)x(\d+)$/iu.exec(value);
  if (!match) throw invalid(`--${option} must look like ${example}, got "${value}".`);
  return [Number(match[1]), Number(match[2])];
}

function parseSize(value: string | undefined, nativeSize: number): { width: number; height: number } {
  if (value === undefined) return { width: nativeSize, height: nativeSize };
  const [width, height] = parsePair('size', value, '512x768');
  return { width, height };
}

/** SDXL's size conditioning from --original-size / --target-size (WxH) and --crop (TOPxLEFT); unset ones default. */
function parseSizeConditioning(get: (k: string) => string | undefined): SizeConditioning | undefined {
  const original = get('original-size');
  const target = get('target-size');
  const crop = get('crop');
  if (original === undefined && target === undefined && crop === undefined) return undefined;
  const [originalWidth, originalHeight] = original === undefined ? [] : parsePair('original-size', original, '1024x1024');
  const [targetWidth, targetHeight] = target === undefined ? [] : parsePair('target-size', target, '1024x1024');
  const [cropTop, cropLeft] = crop === undefined ? [] : parsePair('crop', crop, '0x0');
  return Object.fromEntries(Object.entries({ originalWidth, originalHeight, targetWidth, targetHeight, cropTop, cropLeft }).filter(([, v]) => v !== undefined));
}

function parseLora(value: string): { file: string; strength: number } {
  const colon = value.lastIndexOf(':');
  const strength = colon > 0 ? Number(value.slice(colon + 1)) : Number.NaN;
  if (colon <= 0 || !Number.isFinite(strength)) throw invalid(`--lora must be FILE:STRENGTH (e.g. style.safetensors:0.8), got "${value}".`);
  return { file: path.resolve(value.slice(0, colon)), strength };
}

function parseSampler(value: string | undefined): Sampler {
  if (value === undefined) return 'Euler a';
  const sampler = SAMPLERS.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!sampler) throw invalid(`Unknown sampler "${value}"; choose one of ${SAMPLERS.join(', ')}.`);
  return sampler;
}

function parseHiresUpscaler(value: string): HiresUpscaler {
  const upscaler = HIRES_UPSCALERS.find((u) => u.toLowerCase() === value.toLowerCase());
  if (!upscaler) throw invalid(`Unknown hires upscaler "${value}"; choose one of ${HIRES_UPSCALERS.join(', ')}.`);
  return upscaler;
}

/** --hires X [--hires-steps N] [--hires-denoise X] [--hires-upscaler NAME]: A1111's hires fix; its options need --hires. */
function parseHires(get: (k: string) => string | undefined): GenerationParamsInput['hires'] {
  const scale = get('hires');
  if (scale === undefined) {
    const orphan = ['hires-steps', 'hires-denoise', 'hires-upscaler'].find((k) => get(k) !== undefined);
    if (orphan) throw invalid(`--${orphan} needs --hires X (the upscale factor, e.g. 1.5).`);
    return undefined;
  }
  const upscaler = get('hires-upscaler');
  return {
    scale: number('hires', scale, 1),
    ...(get('hires-steps') === undefined ? {} : { steps: number('hires-steps', get('hires-steps'), 0) }),
    ...(get('hires-denoise') === undefined ? {} : { denoise: number('hires-denoise', get('hires-denoise'), 0.7) }),
    ...(upscaler === undefined ? {} : { upscaler: parseHiresUpscaler(upscaler) }),
  };
}

/** --best-of N --keep K [--keep-rejected]: make N, keep the K most like the character. */
function parseBestOf(values: Record<string, string | boolean | string[] | undefined>): GenerationParamsInput['bestOf'] {
  const count = values['best-of'] as string | undefined;
  const keep = values['keep'] as string | undefined;
  if (count === undefined) {
    if (keep !== undefined || values['keep-rejected']) throw invalid(`--${keep !== undefined ? 'keep' : 'keep-rejected'} needs --best-of N.`);
    return undefined;
  }
  return { count: number('best-of', count, 2), keep: number('keep', keep, 1), ...(values['keep-rejected'] ? { keepRejected: true } : {}) };
}

function parseMemoryMode(value: string | undefined): ModelMemoryMode {
  if (value === undefined) return 'auto';
  const mode = MODEL_MEMORY_MODES.find((m) => m === value.toLowerCase());
  if (!mode) throw invalid(`--memory must be one of ${MODEL_MEMORY_MODES.join(', ')}, got "${value}".`);
  return mode;
}

function parseProvider(value: string | undefined): Settings['executionProvider'] {
  if (value === undefined) return 'auto';
  const provider = EXECUTION_PROVIDERS.find((p) => p === value.toLowerCase());
  if (!provider) throw invalid(`--provider must be one of ${EXECUTION_PROVIDERS.join(', ')}, got "${value}".`);
  return provider;
}

/** One line on which provider ran the job and why any tried before it did not (`faceid doctor` explains more). */
function providerLine(statuses: readonly ProviderStatus[]): string {
  const used = statuses.find((s) => s.available)?.provider ?? 'cpu';
  const skipped = statuses.filter((s) => !s.available).map((s) => `${s.provider}: ${s.reason ?? 'unavailable'}`);
  return `execution provider: ${used}${skipped.length > 0 ? ` (not used — ${skipped.join('; ')})` : ''}\n`;
}

/** The next free A1111-style file number in the output folder. */
async function nextCounter(dir: string): Promise<number> {
  const numbers = (await readdir(dir)).map((f) => /^(\d{5})-/u.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  return numbers.length === 0 ? 0 : Math.max(...numbers) + 1;
}

/** The float outputs a replayed golden's image carries, as JSON arrays (nothing for ordinary jobs). */
function replayedFloats(image: JobImage): Record<string, unknown> {
  if (!image.hwc01) return {};
  const stepLatents = Object.fromEntries(Object.entries(image.stepLatents ?? {}).map(([name, data]) => [name, [...data]]));
  return { imageHwc01: [...image.hwc01], stepLatents };
}

/** The generation parameters the options ask for; `nativeSize` is the model's trained size, the default --size. */
export function paramsFromArgs(values: Record<string, string | boolean | string[] | undefined>, nativeSize = 512): GenerationParamsInput {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw invalid('--model is required (a checkpoint file or a diffusers model folder).');
  if (get('prompt') === undefined) throw invalid('--prompt is required.');
  if (get('strength') !== undefined && !get('init')) throw invalid('--strength needs --init IMG.');
  if (get('mask') && !get('init')) throw invalid('--mask needs --init IMG (the image to paint into).');
  if (get('mask-blur') !== undefined && !get('mask')) throw invalid('--mask-blur needs --mask IMG.');
  const init = get('init');
  const mask = get('mask');
  const sizeConditioning = parseSizeConditioning(get);
  const hires = parseHires(get);
  const bestOf = parseBestOf(values);
  const faceDetail = faceDetailFromArgs(values);
  const control = controlUnitsFromArgs(values);
  if ((bestOf || faceDetail) && values['faceid'] === undefined) throw invalid(`--${bestOf ? 'best-of' : 'face-detail'} works with the character's FaceID: add --faceid ADAPTER with --face IMG… or --character NAME.`);
  // A replayed golden brings its own FaceID tokens: --faceid then only names the adapter (its LoRA), no photos.
  const replaying = get('replay-golden') !== undefined;
  const faceid = faceIdChoiceFromArgs(replaying && values['faceid'] !== undefined && values['face'] === undefined ? { ...values, face: ['(replayed golden)'] } : values);
  return {
    model: path.resolve(get('model')!),
    prompt: get('prompt')!,
    negativePrompt: get('negative') ?? '',
    seed: parseSeed(get('seed')),
    steps: number('steps', get('steps'), 20),
    cfg: number('cfg', get('cfg'), 7),
    sampler: parseSampler(get('sampler')),
    ...parseSize(get('size'), nativeSize),
    ...(sizeConditioning ? { sizeConditioning } : {}),
    batchSize: number('batch', get('batch'), 1),
    clipSkip: number('clip-skip', get('clip-skip'), 1),
    ...(init ? { img2img: { initImage: path.resolve(init), strength: number('strength', get('strength'), mask ? 1 : 0.75) } } : {}),
    ...(mask ? { inpaint: { maskImage: path.resolve(mask), ...(get('mask-blur') === undefined ? {} : { featherPx: number('mask-blur', get('mask-blur'), 0) }) } } : {}),
    loras: ((values.lora as string[] | undefined) ?? []).map(parseLora),
    ...(hires ? { hires } : {}),
    ...(control && control.length > 0 ? { control } : {}),
    ...(typeof values.vae === 'string' ? { vae: path.resolve(values.vae) } : {}),
    ...(values.draft === true ? { draftDecode: true } : {}),
    ...(bestOf ? { bestOf } : {}),
    ...(faceDetail ? { faceDetail } : {}),
    ...(faceid ? { faceid: replaying ? { ...faceid, faces: [] } : faceid } : {}),
  };
}

/** The size the model was trained at (1024 for SDXL), read from its tensor names alone. */
async function nativeSizeOf(model: string): Promise<number> {
  const { base } = await detectModel(path.resolve(model));
  return base ? ARCHITECTURES[base].nativeSize : 512;
}

export const command: CliCommand = {
  name: 'generate',
  summary: 'Generate images (txt2img, img2img, inpaint) into a folder as PNGs with A1111 parameters',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(command, args, OPTIONS);
    const out = values.out;
    if (!out) throw invalid('--out DIR is required.');
    // A <lora:name:w> tag names one of the --lora files by its stem and sets its strength; the CLI has no LoRA
    // folders to look other names up in, so those are refused (prompt-loras.ts) rather than silently left out.
    const validated = validateGenerationParams(paramsFromArgs(values, values.size === undefined && values.model ? await nativeSizeOf(values.model) : undefined));
    const embeddingsDir = values['embeddings-dir'];
    const params = await withPromptEmbeddings(await withPromptLoras(validated, async () => validated.loras.map((l) => l.file)), async () => (embeddingsDir ? embeddingFilesIn(path.resolve(embeddingsDir)) : []));
    // Refuse bad settings before the engine (and a model) is even started.
    const checked = validateGenerationParams(params);
    const weightsMode = compactWeightsFor(parseMemoryMode(values.memory));
    const environment = readEnvironment();
    const configDir = values.configs ? path.resolve(values.configs) : undefined;
    const engineOptions = { ...defaultEngineOptions(environment), ...(configDir ? { configDir } : {}) };
    const replay = values['replay-golden'] ? await readGoldenReplay(path.resolve(values['replay-golden'])) : undefined;
    const ip = checked.faceid && !replay ? await faceTokensForGeneration(checked.faceid, { model: checked.model, cacheDir: engineOptions.cacheDir, ...(configDir ? { configDir } : {}), values, io }) : undefined;
    const faceModelsFolder = faceModelsFolderFromArgs(values, environment);
    // Best-of-N ranks and the face pass checks by identity score, against the FaceID character or photos.
    const scorer = !replay && checked.faceid && (checked.bestOf || checked.faceDetail?.identityCheck)
      ? await openIdentityScorer(checked.faceid, { faceModelsFolder, cacheDir: engineOptions.cacheDir, studioDir: defaultStudioDir(environment), signal: io.signal })
      : undefined;
    const preferredProviders = preferredProvidersFor(parseProvider(values.provider));
    const engine = EngineClient.start({ ...engineOptions, faceModelsFolder, previewEvery: 0, ...weightsMode, preferredProviders });
    try {
      const annotators = await annotatorsFromArgs(values);
      const taesd = typeof values.taesd === 'string' ? path.resolve(values.taesd) : undefined;
      const result = await runEngineJobs(engine, checked, { ...(ip ? { ip } : {}), ...(replay ? { replay } : {}), ...(annotators ? { annotators } : {}), ...(taesd ? { previewDecoder: taesd } : {}) }, io);
      const { chosen, notes } = await chooseImages(result.images, checked, scorer);
      for (const note of notes) io.stderr.write(`${note}\n`);
      io.stderr.write(providerLine(await engine.providers()));
      await mkdir(out, { recursive: true });
      let counter = await nextCounter(out);
      const written: { file: string; seed: number; parameters: string; identityScore?: number | null; rank?: number; before?: string }[] = [];
      for (const { image, png, parameters, identityScore, rank, kept, before } of chosen) {
        const stem = path.join(out, `${String(counter++).padStart(5, '0')}-${image.seed}${kept ? '' : '-rejected'}`);
        const file = `${stem}.png`;
        await writeFile(file, png);
        if (before) await writeFile(`${stem}-before.png`, before);
        if (values.json) {
          await writeFile(`${stem}.json`, `${JSON.stringify({ ...params, bestOf: undefined, seed: image.seed, batchSize: 1, parameters, ...(identityScore === undefined ? {} : { identityScore }), ...(rank === undefined ? {} : { rank }), ...replayedFloats(image) }, null, 2)}\n`);
        }
        written.push({ file, seed: image.seed, parameters, ...(identityScore === undefined ? {} : { identityScore }), ...(rank === undefined ? {} : { rank }), ...(before ? { before: `${stem}-before.png` } : {}) });
      }
      if (values.json) io.stdout.write(`${JSON.stringify({ params, images: written, elapsedSeconds: result.elapsedSeconds }, null, 2)}\n`);
      else for (const w of written) io.stdout.write(`${w.file}\n`);
      return 0;
    } finally {
      await engine.close();
      await scorer?.close();
    }
  },
};
