// The A1111 `parameters` text (modules/processing.py create_infotext, infotext_utils.parse_generation_parameters):
//   <prompt lines>
//   Negative prompt: <negative lines>
//   Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1, Size: 512x512, …
// Values holding ',', ':' or a newline are JSON-quoted. Pure TypeScript so the renderer can read dropped PNGs.
import { SAMPLERS, type GenerationParamsInput, type Sampler } from './generation.ts';

export interface A1111Fields {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly steps: number;
  readonly sampler: Sampler;
  readonly cfg: number;
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly clipSkip?: number;
  /** img2img / inpaint strength. */
  readonly denoisingStrength?: number;
  readonly maskBlur?: number;
  readonly model?: string;
  readonly modelHash?: string;
  /** Further `Key: value` pairs written after the core keys (extension-style, e.g. FaceID settings). */
  readonly extra?: Readonly<Record<string, string | number>>;
  readonly version?: string;
}

const PARAM = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;
const IMAGE_SIZE = /^(\d+)x(\d+)$/u;

function quote(value: string): string {
  return /[,:\n]/u.test(value) ? JSON.stringify(value) : value;
}

function number(value: number): string {
  return String(value);
}

/**
 * Our sampler → A1111's `Sampler` and `Schedule type`, as A1111 1.9+ writes every image (modules/sd_samplers_kdiffusion
 * get_sigmas, sd_schedulers.py). Since 1.9 A1111's `DPM++ 2M` defaults to the Karras schedule, so the plain one must
 * say `Uniform` (the model's own timesteps); samplers that always use the model's schedule say `Automatic`.
 * diffusers' PNDM is what A1111 calls PLMS.
 */
const A1111_SAMPLERS: Readonly<Record<Sampler, { readonly sampler: string; readonly schedule: string }>> = {
  DDIM: { sampler: 'DDIM', schedule: 'Automatic' },
  Euler: { sampler: 'Euler', schedule: 'Automatic' },
  'Euler a': { sampler: 'Euler a', schedule: 'Automatic' },
  'DPM++ 2M': { sampler: 'DPM++ 2M', schedule: 'Uniform' },
  'DPM++ 2M Karras': { sampler: 'DPM++ 2M', schedule: 'Karras' },
  LCM: { sampler: 'LCM', schedule: 'Automatic' },
  PNDM: { sampler: 'PLMS', schedule: 'Automatic' },
};

/** A1111's name for one of our samplers (the `sampler_name` its API and infotext use). */
export function a1111SamplerName(sampler: Sampler): string {
  return A1111_SAMPLERS[sampler].sampler;
}

export function formatA1111Parameters(fields: A1111Fields): string {
  const { sampler, schedule } = A1111_SAMPLERS[fields.sampler];
  const entries: [string, string | undefined][] = [
    ['Steps', number(fields.steps)],
    ['Sampler', sampler],
    ['Schedule type', schedule],
    ['CFG scale', number(fields.cfg)],
    ['Seed', number(fields.seed)],
    ['Size', `${fields.width}x${fields.height}`],
    ['Model hash', fields.modelHash],
    ['Model', fields.model],
    ['Denoising strength', fields.denoisingStrength === undefined ? undefined : number(fields.denoisingStrength)],
    ['Clip skip', fields.clipSkip !== undefined && fields.clipSkip > 1 ? number(fields.clipSkip) : undefined],
    ['Mask blur', fields.maskBlur === undefined ? undefined : number(fields.maskBlur)],
    ...Object.entries(fields.extra ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ['Version', fields.version],
  ];
  const params = entries
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => (k === v ? k : `${k}: ${quote(v)}`))
    .join(', ');
  const negative = fields.negativePrompt ? `\nNegative prompt: ${fields.negativePrompt}` : '';
  return `${fields.prompt}${negative}\n${params}`.trim();
}

export interface ParsedA1111Parameters {
  readonly prompt: string;
  readonly negativePrompt: string;
  /** Every `Key: value` pair as written (Size split into Size-1 / Size-2, quoted values unquoted). */
  readonly raw: Readonly<Record<string, string>>;
  /** What maps onto our generation parameters; absent keys mean A1111's defaults (e.g. clip skip 1). */
  readonly params: Partial<GenerationParamsInput>;
  /** img2img strength (the init image itself is not in the text). */
  readonly denoisingStrength?: number;
}

function unquote(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}

/**
 * A1111's Sampler (+ Schedule type, or the API's sampler_name + scheduler) → ours; undefined when we have no such one.
 * Before 1.9 the schedule was part of the name (`DPM++ 2M Karras`); since 1.9 `DPM++ 2M` with schedule `Automatic`
 * means Karras (that sampler's default schedule).
 */
export function a1111Sampler(name: string | undefined, schedule: string | undefined): Sampler | undefined {
  if (name === undefined) return undefined;
  const named = (Object.keys(A1111_SAMPLERS) as Sampler[]).filter((s) => A1111_SAMPLERS[s].sampler === name);
  if (named.length === 0) return SAMPLERS.find((s) => s === name);
  if (named.length === 1) return schedule === undefined || schedule === 'Automatic' || schedule === A1111_SAMPLERS[named[0]!].schedule ? named[0] : undefined;
  // No schedule line at all: an infotext from before 1.9, where plain `DPM++ 2M` ran on the model's schedule.
  const wanted = schedule === undefined ? 'Uniform' : schedule === 'Automatic' ? 'Karras' : schedule;
  return named.find((s) => A1111_SAMPLERS[s].schedule === wanted);
}

export function parseA1111Parameters(text: string): ParsedA1111Parameters {
  const lines = text.trim().split('\n');
  let lastLine = lines.pop() ?? '';
  if ([...lastLine.matchAll(PARAM)].length < 3) {
    lines.push(lastLine);
    lastLine = '';
  }
  let prompt = '';
  let negativePrompt = '';
  let doneWithPrompt = false;
  for (const raw of lines) {
    let line = raw.trim();
    if (line.startsWith('Negative prompt:')) {
      doneWithPrompt = true;
      line = line.slice(16).trim();
    }
    if (doneWithPrompt) negativePrompt += (negativePrompt === '' ? '' : '\n') + line;
    else prompt += (prompt === '' ? '' : '\n') + line;
  }
  const raw: Record<string, string> = {};
  for (const [, key, rawValue] of lastLine.matchAll(PARAM)) {
    let value = rawValue!;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = unquote(value);
    const size = IMAGE_SIZE.exec(value);
    if (size) {
      raw[`${key}-1`] = size[1]!;
      raw[`${key}-2`] = size[2]!;
    } else {
      raw[key!] = value;
    }
  }
  const num = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const sampler = a1111Sampler(raw.Sampler, raw['Schedule type']);
  const strength = num('Denoising strength');
  const params: Partial<GenerationParamsInput> = {
    prompt,
    negativePrompt,
    ...(num('Steps') !== undefined ? { steps: num('Steps')! } : {}),
    ...(sampler ? { sampler } : {}),
    ...(num('CFG scale') !== undefined ? { cfg: num('CFG scale')! } : {}),
    ...(num('Seed') !== undefined ? { seed: num('Seed')! } : {}),
    ...(num('Size-1') !== undefined ? { width: num('Size-1')! } : {}),
    ...(num('Size-2') !== undefined ? { height: num('Size-2')! } : {}),
    clipSkip: num('Clip skip') ?? 1,
  };
  return { prompt, negativePrompt, raw, params, ...(strength !== undefined ? { denoisingStrength: strength } : {}) };
}
