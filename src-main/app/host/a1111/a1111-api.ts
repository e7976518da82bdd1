// An A1111-compatible API (/sdapi/v1/…) over the studio's own contract, for the tools that generate through A1111
// (Open WebUI, SillyTavern, scripts). Shapes as A1111's modules/api/api.py and models.py answer them: images as
// base64 PNGs, `parameters` echoing the request, `info` a JSON string. Every generation is a job in the studio's
// queue and lands in the gallery; the API only translates and waits.
import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { a1111SamplerName, parseA1111Parameters } from '../../../../src-preload/contract/a1111-parameters.ts';
import { SAMPLERS, type GenerationParamsInput } from '../../../../src-preload/contract/generation.ts';
import type { Generation } from '../../../../src-preload/contract/generations.ts';
import { fileStem } from '../../../../src-preload/contract/model-names.ts';
import type { Job } from '../../../../src-preload/contract/jobs.ts';
import type { Model } from '../../../../src-preload/contract/models.ts';
import { readPngTexts } from '../../../../src-preload/contract/png-text.ts';
import type { Result } from '../../../../src-preload/contract/index.ts';
import type { Dispatch } from '../../dispatch.ts';
import type { StudioEventBus } from '../../events.ts';
import { baseParams, faceIdUnit, hiresParams, Img2ImgRequestSchema, stripDataUrl, Txt2ImgRequestSchema, unitImage, type Txt2ImgRequest } from './a1111-requests.ts';

interface A1111Reply {
  readonly status: number;
  readonly body: unknown;
}

interface A1111ApiOptions {
  readonly dispatch: Dispatch;
  readonly events: StudioEventBus;
  readonly libraryFolder: string;
}

const FINAL_STATES = new Set<Job['state']>(['done', 'failed', 'cancelled', 'interrupted']);
/** A1111's "random seed": -1 (any negative value), replaced by a random 32-bit seed as processing.get_fixed_seed does. */
const MAX_RANDOM_SEED = 2 ** 32;
const SCHEDULES = [
  { name: 'automatic', label: 'Automatic', aliases: null, default_rho: -1, need_inner_model: false },
  { name: 'uniform', label: 'Uniform', aliases: null, default_rho: -1, need_inner_model: true },
  { name: 'karras', label: 'Karras', aliases: null, default_rho: 7, need_inner_model: false },
];

/** FastAPI's error shape, which A1111 clients print. */
function failure(status: number, detail: string): A1111Reply {
  return { status, body: { error: status === 422 ? 'ValidationError' : 'HTTPException', detail } };
}

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiFailure(result.error.code === 'invalid-request' || result.error.code === 'generate.invalid-parameter' ? 422 : 500, `${result.error.userMessage}${result.error.hint ? ` ${result.error.hint}` : ''}`);
}

class ApiFailure extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.status = status;
  }
}

interface Waiter {
  readonly generations: Generation[];
  readonly done: (job: Job) => void;
}

interface Progress {
  readonly jobId: string;
  step: number;
  totalSteps: number;
  preview: string | undefined;
  readonly startedAt: number;
}

export class A1111Api {
  readonly #dispatch: Dispatch;
  readonly #libraryFolder: string;
  readonly #unsubscribe: () => void;
  readonly #waiters = new Map<string, Waiter>();
  /** What `options` holds: A1111 has one loaded checkpoint and one clip skip for every request. */
  #checkpoint: string | undefined;
  #clipSkip = 1;
  #progress: Progress | undefined;

  constructor(options: A1111ApiOptions) {
    this.#dispatch = options.dispatch;
    this.#libraryFolder = options.libraryFolder;
    this.#unsubscribe = options.events.subscribe(({ event, payload }) => {
      if (event === 'generation.created') {
        const { generation } = payload as { generation: Generation };
        if (generation.jobId !== null) this.#waiters.get(generation.jobId)?.generations.push(generation);
      } else if (event === 'job.updated') {
        const { job } = payload as { job: Job };
        if (job.state === 'running' && this.#progress?.jobId !== job.id) this.#progress = { jobId: job.id, step: 0, totalSteps: job.params.steps, preview: undefined, startedAt: Date.now() };
        if (FINAL_STATES.has(job.state)) {
          if (this.#progress?.jobId === job.id) this.#progress = undefined;
          this.#waiters.get(job.id)?.done(job);
        }
      } else if (event === 'job.progress' || event === 'job.preview') {
        const update = payload as { jobId: string; step: number; totalSteps?: number; image?: string };
        if (this.#progress?.jobId !== update.jobId) return;
        this.#progress.step = update.step;
        if (update.totalSteps !== undefined) this.#progress.totalSteps = update.totalSteps;
        if (update.image !== undefined) this.#progress.preview = update.image;
      }
    });
  }

  dispose(): void {
    this.#unsubscribe();
  }

  /** Answers one /sdapi/v1 request; `route` is the path after /sdapi/v1/. */
  async handle(method: string, route: string, body: unknown): Promise<A1111Reply> {
    try {
      const key = `${method} ${route}`;
      switch (key) {
        case 'GET options':
          return { status: 200, body: await this.#options() };
        case 'POST options':
          return { status: 200, body: await this.#setOptions(body) };
        case 'GET sd-models':
          return { status: 200, body: (await this.#models('checkpoint')).map((m) => ({ title: m.name, model_name: fileStem(m.name), hash: null, sha256: null, filename: m.path, config: null })) };
        case 'GET samplers':
          return { status: 200, body: [...new Set(SAMPLERS.map(a1111SamplerName))].map((name) => ({ name, aliases: [], options: {} })) };
        case 'GET schedulers':
          return { status: 200, body: SCHEDULES };
        case 'GET loras':
          return { status: 200, body: (await this.#models('lora')).map((m) => ({ name: fileStem(m.name), alias: fileStem(m.name), path: m.path, metadata: {} })) };
        case 'GET progress':
          return { status: 200, body: this.#progressReply() };
        case 'POST interrupt':
          return { status: 200, body: await this.#interrupt() };
        case 'POST txt2img':
          return await this.#generate(Txt2ImgRequestSchema.safeParse(body ?? {}), undefined);
        case 'POST img2img': {
          const parsed = Img2ImgRequestSchema.safeParse(body ?? {});
          return await this.#generate(parsed, parsed.success ? parsed.data : undefined);
        }
        case 'POST png-info':
          return { status: 200, body: this.#pngInfo(body) };
        default:
          return failure(404, `There is no /sdapi/v1/${route} for ${method} here. This studio serves txt2img, img2img, options, sd-models, samplers, schedulers, loras, progress, interrupt and png-info.`);
      }
    } catch (error) {
      if (error instanceof ApiFailure) return failure(error.status, error.message);
      throw error;
    }
  }

  async #models(kind: Model['kind']): Promise<Model[]> {
    const { models } = unwrap(await this.#dispatch('models.list', {})) as { models: Model[] };
    return models.filter((m) => m.kind === kind || (kind === 'checkpoint' && m.kind === 'unidentified' && /\.(safetensors|ckpt)$/iu.test(m.name) && !/lora|ip[-_]?adapter|faceid/iu.test(m.name)));
  }

  /** A1111 names a checkpoint by its title (`name [hash]`), file name or stem; we accept all three. */
  async #findCheckpoint(title: string): Promise<Model> {
    const name = title.replace(/\s*\[[0-9a-f]+\]$/iu, '');
    const found = (await this.#models('checkpoint')).find((m) => m.name === name || fileStem(m.name) === name || m.path === name);
    if (found === undefined) throw new ApiFailure(422, `No checkpoint named "${title}" is in the studio's model folders. GET /sdapi/v1/sd-models lists the ones there are.`);
    return found;
  }

  async #currentCheckpoint(): Promise<Model | undefined> {
    const checkpoints = await this.#models('checkpoint');
    return checkpoints.find((m) => m.path === this.#checkpoint) ?? checkpoints[0];
  }

  async #options(): Promise<Record<string, unknown>> {
    const current = await this.#currentCheckpoint();
    return { sd_model_checkpoint: current?.name ?? null, CLIP_stop_at_last_layers: this.#clipSkip, samples_format: 'png' };
  }

  async #setOptions(body: unknown): Promise<null> {
    const options = z.record(z.string(), z.unknown()).safeParse(body);
    if (!options.success) throw new ApiFailure(422, 'POST /sdapi/v1/options takes a JSON object of option names and values.');
    const { sd_model_checkpoint: title, CLIP_stop_at_last_layers: clipSkip } = options.data;
    if (typeof title === 'string') this.#checkpoint = (await this.#findCheckpoint(title)).path;
    if (clipSkip !== undefined) this.#clipSkip = this.#checkClipSkip(clipSkip);
    return null;
  }

  #checkClipSkip(value: unknown): number {
    if (value !== 1 && value !== 2) throw new ApiFailure(422, `CLIP_stop_at_last_layers must be 1 or 2 here (got ${JSON.stringify(value)}).`);
    return value;
  }

  #progressReply(): Record<string, unknown> {
    const running = this.#progress;
    const fraction = running === undefined || running.totalSteps === 0 ? 0 : running.step / running.totalSteps;
    const elapsed = running === undefined ? 0 : (Date.now() - running.startedAt) / 1000;
    const currentImage = running?.preview === undefined ? null : readFileSync(path.join(this.#libraryFolder, running.preview)).toString('base64');
    return {
      progress: fraction,
      eta_relative: fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0,
      state: { skipped: false, interrupted: false, job: running?.jobId ?? '', job_count: running === undefined ? 0 : 1, job_timestamp: '0', job_no: 0, sampling_step: running?.step ?? 0, sampling_steps: running?.totalSteps ?? 0 },
      current_image: currentImage,
      textinfo: null,
    };
  }

  /** A1111 stops whatever is generating now; the running job here ends as cancelled, with the images it finished. */
  async #interrupt(): Promise<Record<string, never>> {
    const { jobs } = unwrap(await this.#dispatch('jobs.list', { states: ['running'] })) as { jobs: Job[] };
    for (const job of jobs) unwrap(await this.#dispatch('jobs.cancel', { id: job.id }));
    return {};
  }

  /** Stores a base64 image the request carried where the engine can open it (content-addressed, so repeats are one file). */
  #storeInput(base64: string): string {
    const bytes = Buffer.from(stripDataUrl(base64), 'base64');
    if (bytes.length === 0) throw new ApiFailure(422, 'An image in the request is empty or not base64.');
    const folder = path.join(this.#libraryFolder, 'api-inputs');
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${createHash('sha256').update(bytes).digest('hex')}.img`);
    writeFileSync(file, bytes);
    return file;
  }

  /** FaceID from our `character` field or an sd-webui-controlnet FaceID unit (its image is the reference photo). */
  async #faceId(request: Txt2ImgRequest): Promise<GenerationParamsInput['faceid']> {
    const unit = faceIdUnit(request);
    if (request.character === undefined && unit === undefined) return undefined;
    const adapters = await this.#models('ip-adapter');
    const wanted = unit?.model.replace(/\s*\[[0-9a-f]+\]$/iu, '');
    const adapter = adapters.find((m) => fileStem(m.name) === wanted) ?? adapters.find((m) => /faceid[-_]plusv2/iu.test(m.name)) ?? adapters.find((m) => /faceid/iu.test(m.name));
    if (adapter === undefined) throw new ApiFailure(422, 'FaceID was asked for, but no IP-Adapter FaceID file is in the studio\'s model folders. Get one on the studio\'s Models page.');
    const image = unit === undefined ? undefined : unitImage(unit);
    if (request.character === undefined && image === undefined) throw new ApiFailure(422, 'The FaceID ControlNet unit has no image: send the face photo as the unit\'s "image".');
    return {
      adapter: adapter.path,
      faces: image === undefined ? [] : [this.#storeInput(image)],
      ...(request.character === undefined ? {} : { characterId: request.character }),
      ...(unit === undefined ? {} : { faceWeight: unit.weight }),
    };
  }

  async #generate(parsed: z.ZodSafeParseResult<Txt2ImgRequest>, img2img: z.infer<typeof Img2ImgRequestSchema> | undefined): Promise<A1111Reply> {
    if (!parsed.success) return failure(422, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const request = parsed.data;
    const override = request.override_settings;
    const model = typeof override.sd_model_checkpoint === 'string' ? await this.#findCheckpoint(override.sd_model_checkpoint) : await this.#currentCheckpoint();
    if (model === undefined) throw new ApiFailure(422, 'The studio has no checkpoint in its model folders. Add a model folder in Settings, or get a model on the Models page.');
    const clipSkip = override.CLIP_stop_at_last_layers === undefined ? this.#clipSkip : this.#checkClipSkip(override.CLIP_stop_at_last_layers);
    const seed = request.seed < 0 ? randomInt(MAX_RANDOM_SEED) : request.seed;
    const { params: base, problems } = baseParams(request, seed, clipSkip);
    const hires = img2img === undefined ? hiresParams(request) : { problems: [] };
    problems.push(...hires.problems);
    if (img2img?.inpainting_mask_invert === 1) problems.push('inpainting_mask_invert 1 is not supported here; send the mask with white where to repaint');
    if (problems.length > 0) throw new ApiFailure(422, problems.join('; '));
    const faceid = await this.#faceId(request);
    const params: GenerationParamsInput = {
      ...base,
      model: model.path,
      ...(faceid === undefined ? {} : { faceid }),
      ...(hires.hires === undefined ? {} : { hires: hires.hires }),
      ...(img2img === undefined ? {} : { img2img: { initImage: this.#storeInput(img2img.init_images[0]!), strength: img2img.denoising_strength } }),
      ...(img2img?.mask ? { inpaint: { maskImage: this.#storeInput(img2img.mask), featherPx: img2img.mask_blur } } : {}),
    };
    const job = unwrap(await this.#dispatch('jobs.enqueue', { params, ...(request.character === undefined ? {} : { characterId: request.character }) })) as Job;
    const { generations, final } = await this.#wait(job.id);
    if (final.state === 'failed') throw new ApiFailure(500, final.error?.userMessage ?? 'The generation failed.');
    const images = generations.map((g) => readFileSync(path.join(this.#libraryFolder, g.image)));
    const infotexts = images.map((png) => readPngTexts(png).parameters ?? '');
    const info = {
      prompt: request.prompt,
      all_prompts: generations.map(() => request.prompt),
      negative_prompt: request.negative_prompt,
      all_negative_prompts: generations.map(() => request.negative_prompt),
      seed,
      all_seeds: generations.map((g) => g.seed),
      subseed: -1,
      all_subseeds: generations.map(() => -1),
      width: request.width,
      height: request.height,
      sampler_name: a1111SamplerName(final.params.sampler),
      cfg_scale: request.cfg_scale,
      steps: request.steps,
      batch_size: request.batch_size,
      sd_model_name: fileStem(model.name),
      clip_skip: clipSkip,
      denoising_strength: img2img?.denoising_strength ?? hires.hires?.denoise ?? null,
      infotexts,
      job_timestamp: new Date(final.createdAt).toISOString(),
      interrupted: final.state !== 'done',
    };
    return {
      status: 200,
      body: { images: request.send_images ? images.map((png) => png.toString('base64')) : [], parameters: { ...request, ...(img2img ? { init_images: null, mask: null } : {}) }, info: JSON.stringify(info) },
    };
  }

  #wait(jobId: string): Promise<{ generations: Generation[]; final: Job }> {
    return new Promise((resolve) => {
      const generations: Generation[] = [];
      this.#waiters.set(jobId, {
        generations,
        done: (final) => {
          this.#waiters.delete(jobId);
          resolve({ generations, final });
        },
      });
    });
  }

  #pngInfo(body: unknown): Record<string, unknown> {
    const request = z.object({ image: z.string().min(1) }).safeParse(body);
    if (!request.success) throw new ApiFailure(422, 'POST /sdapi/v1/png-info takes {"image": "<base64 PNG>"}.');
    const texts = readPngTexts(new Uint8Array(Buffer.from(stripDataUrl(request.data.image), 'base64')));
    const info = texts.parameters ?? '';
    // A1111 answers with parse_generation_parameters' dictionary: its own key names, Size split in two.
    const parsed = parseA1111Parameters(info);
    const parameters = info === '' ? {} : { Prompt: parsed.prompt, 'Negative prompt': parsed.negativePrompt, ...parsed.raw };
    return { info, items: Object.fromEntries(Object.entries(texts).filter(([key]) => key !== 'parameters')), parameters };
  }
}
