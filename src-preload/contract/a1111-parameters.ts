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

/** Our sampler → A1111's Sampler and Schedule type (Karras is a schedule type since A1111 1.9). */
function a1111Sampler(sampler: Sampler): { sampler: string; schedule?: string } {
  return sampler === 'DPM++ 2M Karras' ? { sampler: 'DPM++ 2M', schedule: 'Karras' } : { sampler };
}

export function formatA1111Parameters(fields: A1111Fields): string {
  const { sampler, schedule } = a1111Sampler(fields.sampler);
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
  /** Keys we understood nothing of, for the UI to show (e.g. ControlNet units, Hires fix). */
  readonly unsupported: readonly string[];
}

const KNOWN = new Set(['Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size-1', 'Size-2', 'Model', 'Model hash', 'Denoising strength', 'Clip skip', 'Mask blur', 'Version']);

function unquote(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}

function ourSampler(name: string | undefined, schedule: string | undefined): Sampler | undefined {
  if (name === undefined) return undefined;
  const withSchedule = schedule && schedule !== 'Automatic' ? `${name} ${schedule}` : name;
  return SAMPLERS.find((s) => s === withSchedule) ?? SAMPLERS.find((s) => s === name);
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
  const sampler = ourSampler(raw.Sampler, raw['Schedule type']);
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
  const unsupported = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (raw.Sampler !== undefined && !sampler) unsupported.push(`Sampler: ${raw.Sampler}`);
  return { prompt, negativePrompt, raw, params, ...(strength !== undefined ? { denoisingStrength: strength } : {}), unsupported };
}
