// LoRA weights in the namings users bring (kohya/A1111, diffusers/PEFT, the LoRA inside an IP-Adapter FaceID
// .bin), each pair resolved to the canonical weight it modifies: W' = W + s·(alpha/rank)·up·down.
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { readTensorFloat32, type TensorDescriptor } from './descriptors.ts';
import { readTensorFile } from './tensor-file.ts';
import { attentionProcessorOrder, unetNameToLdm, upLevelsWithAttention } from './unet-layout.ts';

export type LoraFormat = 'kohya' | 'diffusers-peft' | 'ip-adapter-bin';

export interface LoraEntry {
  /** Canonical weight the pair modifies, e.g. `unet.….attn1.to_q.weight`. */
  readonly target: string;
  /** [rank, in, …] */
  readonly down: TensorDescriptor;
  /** [out, rank, …] */
  readonly up: TensorDescriptor;
  /** Absent when the file has none: then the scale is 1 (not alpha/rank). */
  readonly alpha?: number;
}

export interface Lora {
  readonly source: string;
  readonly format: LoraFormat;
  readonly entries: LoraEntry[];
  /** LoRA tensor names that match no weight of the model (a LoRA for another base, or a format we do not apply). */
  readonly unmatched: string[];
}

/** What openLora needs of the model: its canonical tensors (a Checkpoint fits). */
export interface LoraTargetModel {
  readonly tensors: ReadonlyMap<string, TensorDescriptor>;
}

const KOHYA_PATTERN = /^lora_(unet|te\d?)_/;
const IP_ADAPTER_LORA_PATTERN = /^ip_adapter\.(\d+)\.to_(q|k|v|out)_lora\.(down|up)\.weight$/;
const PEFT_PATTERN = /\.(lora_A|lora_B|lora\.down|lora\.up|lora_down|lora_up)\.weight$|_lora\.(down|up)\.weight$/;

/** The LoRA format from tensor names alone, or undefined when the names are not a LoRA's. */
export function loraFormatOf(names: Iterable<string>): LoraFormat | undefined {
  let kohya = false;
  let peft = false;
  for (const name of names) {
    if (IP_ADAPTER_LORA_PATTERN.test(name)) return 'ip-adapter-bin';
    if (KOHYA_PATTERN.test(name)) kohya = true;
    else if (PEFT_PATTERN.test(name)) peft = true;
  }
  return kohya ? 'kohya' : peft ? 'diffusers-peft' : undefined;
}

/** Opens a LoRA file and resolves every pair against `model`'s canonical tensors. Reads headers and alphas only. */
export async function openLora(file: string, model: LoraTargetModel): Promise<Lora> {
  const index = await readTensorFile(file);
  return resolveLora(index.file, index.tensors, model);
}

/** Resolves already indexed LoRA tensors against `model` (openLora without the file reading). */
export async function resolveLora(source: string, tensors: ReadonlyMap<string, TensorDescriptor>, model: LoraTargetModel): Promise<Lora> {
  const what = path.basename(source);
  const format = loraFormatOf(tensors.keys());
  if (format === undefined) {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: `${what} is not a LoRA: none of its tensors has a LoRA name (lora_unet_…, …lora_A…, ip_adapter.N.to_q_lora…).`,
      hint: 'Run `faceid inspect` on it to see what it is.',
    });
  }
  const resolve = format === 'kohya' ? kohyaResolver(model) : format === 'ip-adapter-bin' ? ipAdapterResolver(model) : peftResolver(model);
  const pairs = new Map<string, { down?: TensorDescriptor; up?: TensorDescriptor; alpha?: TensorDescriptor; names: string[] }>();
  const unmatched: string[] = [];
  for (const [name, descriptor] of tensors) {
    const parsed = resolve(name);
    if (parsed === 'skip') continue;
    if (parsed === undefined) {
      unmatched.push(name);
      continue;
    }
    const pair = pairs.get(parsed.target) ?? { names: [] };
    pair[parsed.part] = descriptor;
    pair.names.push(name);
    pairs.set(parsed.target, pair);
  }
  const entries: LoraEntry[] = [];
  for (const [target, pair] of pairs) {
    if (!pair.down || !pair.up) {
      unmatched.push(...pair.names);
      continue;
    }
    checkShapes(what, target, pair.down, pair.up, model.tensors.get(target)!);
    const alpha = pair.alpha ? (await readTensorFloat32(pair.alpha))[0] : undefined;
    entries.push(alpha === undefined ? { target, down: pair.down, up: pair.up } : { target, down: pair.down, up: pair.up, alpha });
  }
  return { source, format, entries, unmatched };
}

type Resolved = { target: string; part: 'down' | 'up' | 'alpha' } | 'skip' | undefined;

/** kohya names are canonical module paths with '.' → '_': match them against the model's names, both namings. */
function kohyaResolver(model: LoraTargetModel): (name: string) => Resolved {
  const byKohya = new Map<string, string>();
  const underscored = (s: string): string => s.replace(/\./g, '_');
  const levels = upLevelsWithAttention(model.tensors.keys());
  const hasSecondEncoder = [...model.tensors.keys()].some((n) => n.startsWith('text_encoder_2.'));
  for (const name of model.tensors.keys()) {
    if (!name.endsWith('.weight')) continue;
    const module = name.slice(0, -'.weight'.length);
    const dot = module.indexOf('.');
    const component = module.slice(0, dot);
    const rest = module.slice(dot + 1);
    if (component === 'unet') {
      byKohya.set(`lora_unet_${underscored(rest)}`, name);
      const ldm = unetNameToLdm(`${rest}.weight`, levels);
      if (ldm !== undefined) byKohya.set(`lora_unet_${underscored(ldm.slice(0, -'.weight'.length))}`, name);
    } else if (component === 'text_encoder') {
      byKohya.set(`lora_te${hasSecondEncoder ? '1' : ''}_${underscored(rest)}`, name);
      if (!hasSecondEncoder) byKohya.set(`lora_te1_${underscored(rest)}`, name);
    } else if (component === 'text_encoder_2') {
      byKohya.set(`lora_te2_${underscored(rest)}`, name);
    }
  }
  return (name) => {
    const m = /^(lora_[a-z0-9]+_.+?)\.(lora_down\.weight|lora_up\.weight|alpha)$/.exec(name);
    if (!m) return undefined;
    const target = byKohya.get(m[1]!);
    if (target === undefined) return undefined;
    return { target, part: m[2] === 'alpha' ? 'alpha' : m[2] === 'lora_down.weight' ? 'down' : 'up' };
  };
}

/** diffusers/PEFT names: the module path with a LoRA suffix, with or without the component prefix. */
function peftResolver(model: LoraTargetModel): (name: string) => Resolved {
  return (name) => {
    const m = /^(.+?)\.(lora_A\.weight|lora_B\.weight|lora\.down\.weight|lora\.up\.weight|lora_down\.weight|lora_up\.weight|alpha)$/.exec(name);
    let module: string;
    let part: 'down' | 'up' | 'alpha';
    if (m) {
      module = m[1]!;
      part = m[2] === 'alpha' ? 'alpha' : /lora_A|down/.test(m[2]!) ? 'down' : 'up';
    } else {
      // Legacy attention-processor format: `….attn1.processor.to_q_lora.down.weight`.
      const legacy = /^(.+?)\.processor\.(to_q|to_k|to_v|to_out)_lora\.(down|up)\.weight$/.exec(name);
      if (!legacy) return undefined;
      module = `${legacy[1]}.${legacy[2] === 'to_out' ? 'to_out.0' : legacy[2]}`;
      part = legacy[3] as 'down' | 'up';
    }
    module = module.replace(/^base_model\.model\./, '');
    for (const candidate of [module, `unet.${module}`]) {
      if (model.tensors.has(`${candidate}.weight`)) return { target: `${candidate}.weight`, part };
    }
    return undefined;
  };
}

/** `ip_adapter.N.to_q_lora.down.weight`: N is the Nth attention processor of the model's UNet. */
function ipAdapterResolver(model: LoraTargetModel): (name: string) => Resolved {
  const order = attentionProcessorOrder(model.tensors.keys());
  return (name) => {
    const m = IP_ADAPTER_LORA_PATTERN.exec(name);
    if (!m) return /^(ip_adapter|image_proj)\./.test(name) ? 'skip' : undefined;
    const module = order[Number(m[1])];
    if (module === undefined) return undefined;
    const target = `${module}.${m[2] === 'out' ? 'to_out.0' : `to_${m[2]}`}.weight`;
    return model.tensors.has(target) ? { target, part: m[3] as 'down' | 'up' } : undefined;
  };
}

function checkShapes(what: string, target: string, down: TensorDescriptor, up: TensorDescriptor, weight: TensorDescriptor): void {
  const fits = down.shape[0] === up.shape[1] && up.shape[0] === weight.shape[0] && down.shape[1] === weight.shape[1];
  if (!fits) {
    throw new StudioError('checkpoint.lora-mismatch', {
      userMessage: `${what} does not fit this model: its LoRA for ${target} is [${up.shape.join('×')}]·[${down.shape.join('×')}] but the weight is [${weight.shape.join('×')}].`,
      hint: 'The LoRA was made for another base model (SD1.5 vs SDXL). Choose a LoRA made for this one.',
    });
  }
}
