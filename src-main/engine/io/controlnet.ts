// Control models by content: ControlNets (a diffusers folder or weights file, or lllyasviel's original `control_model.*`
// single file, .pth or .safetensors, fp16 or fp32) and T2I-Adapters (TencentARC's original names or diffusers'), with
// the base they were trained for. A ControlNet opens as canonical `controlnet.*` tensors in diffusers naming.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { TensorDescriptor } from './descriptors.ts';
import { mapLdmName, ldmContext } from './ldm-names.ts';
import { componentWeightsFile } from './component-weights.ts';
import { readTensorFile } from './tensor-file.ts';

export type ControlKind = 'controlnet' | 't2i-adapter';
export type ControlBase = 'sd15' | 'sdxl';

export interface ControlDescription {
  readonly kind: ControlKind;
  readonly base: ControlBase;
  /** `original`: lllyasviel's / TencentARC's names; `diffusers`: diffusers' names. */
  readonly layout: 'original' | 'diffusers';
  /** Hint encoder widths (ControlNet) or adapter widths (T2I), and the control image's channels. */
  readonly details: Readonly<Record<string, string | number>>;
}

const DIFFUSERS_CONTROLNET = 'controlnet_cond_embedding.conv_in.weight';
const ORIGINAL_CONTROLNET = 'control_model.input_hint_block.0.weight';

/** What a tensor set is, if it is a control model: by its names, its base by its cross-attention width and SDXL's added embedding. */
export function describeControl(shapes: ReadonlyMap<string, readonly number[]>): ControlDescription | undefined {
  const names = [...shapes.keys()];
  if (shapes.has(DIFFUSERS_CONTROLNET) || shapes.has(ORIGINAL_CONTROLNET)) {
    const original = shapes.has(ORIGINAL_CONTROLNET);
    const prefix = original ? 'control_model.' : '';
    const sdxl = names.some((n) => n.startsWith(original ? 'control_model.label_emb.' : 'add_embedding.'));
    const hint = shapes.get(original ? ORIGINAL_CONTROLNET : DIFFUSERS_CONTROLNET)!;
    const cross = names.find((n) => n.startsWith(prefix) && /transformer_blocks\.0\.attn2\.to_k\.weight$/.test(n));
    return {
      kind: 'controlnet',
      base: sdxl ? 'sdxl' : 'sd15',
      layout: original ? 'original' : 'diffusers',
      details: { imageChannels: hint[1] ?? 0, ...(cross ? { crossAttentionDim: shapes.get(cross)![1]! } : {}) },
    };
  }
  const adapterPrefix = shapes.has('adapter.conv_in.weight') ? 'adapter.' : shapes.has('conv_in.weight') && names.some((n) => /^body\.\d+\.block1\.weight$/.test(n)) ? '' : undefined;
  if (adapterPrefix !== undefined) {
    const convIn = shapes.get(`${adapterPrefix}conv_in.weight`)!;
    // The image is pixel-unshuffled before conv_in: by 8 for SD1.5's full_adapter (64·c inputs for a c-channel image),
    // by 16 for SDXL's full_adapter_xl (256·c), so the input width tells the base for 1- and 3-channel images.
    const inputs = convIn[1] ?? 0;
    const sdxl = inputs === 256 || inputs === 768;
    return {
      kind: 't2i-adapter',
      base: sdxl ? 'sdxl' : 'sd15',
      layout: adapterPrefix === '' ? 'original' : 'diffusers',
      details: { imageChannels: inputs / (sdxl ? 256 : 64), width: convIn[0] ?? 0 },
    };
  }
  return undefined;
}

export interface OpenedControlNet {
  readonly source: string;
  readonly base: ControlBase;
  /** Canonical `controlnet.*` tensors (diffusers names). */
  readonly tensors: Map<string, TensorDescriptor>;
  /** A diffusers folder's config.json, when there is one beside the weights. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A config.json that is a ControlNet's (a checkpoint folder's other configs are not). */
async function controlNetConfigFile(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    return config['_class_name'] === 'ControlNetModel' ? config : undefined;
  } catch {
    return undefined;
  }
}

/** What a control model file or diffusers folder is (read from its header only), or undefined for anything else. */
export async function describeControlFile(source: string): Promise<ControlDescription | undefined> {
  const file = await componentWeightsFile(source, 'control model', 'Choose a ControlNet or T2I-Adapter file (.safetensors or .pth) or a diffusers folder.');
  const index = await readTensorFile(file);
  return describeControl(new Map([...index.tensors].map(([n, d]) => [n, d.shape])));
}

/** Opens a ControlNet for compiling (SD1.5 in both layouts, SDXL in diffusers form); anything else is refused by name. */
export async function openControlNet(source: string): Promise<OpenedControlNet> {
  const resolved = path.resolve(source);
  const what = path.basename(resolved);
  const file = await componentWeightsFile(source, 'control model', 'Choose a ControlNet file (.safetensors or .pth) or a diffusers ControlNet folder.');
  const index = await readTensorFile(file);
  const description = describeControl(new Map([...index.tensors].map(([n, d]) => [n, d.shape])));
  if (description?.kind !== 'controlnet') {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: description?.kind === 't2i-adapter' ? `${what} is a T2I-Adapter, not a ControlNet.` : `${what} is not a ControlNet: it has no hint encoder (controlnet_cond_embedding or control_model.input_hint_block).`,
      hint: description?.kind === 't2i-adapter' ? 'Open it as a T2I-Adapter (a control unit takes either kind).' : 'Run `faceid inspect` on it to see what it is, and choose a ControlNet.',
    });
  }
  if (description.base === 'sdxl' && description.layout === 'original') {
    // SDXL ControlNets are published in diffusers form; lllyasviel's names for SDXL's label embedding are not mapped.
    throw new StudioError('compile.unsupported-model', { userMessage: `${what} is an SDXL ControlNet in the original (control_model.*) layout, which this version does not read.`, hint: 'Use the diffusers form of the ControlNet (a folder with config.json, or its diffusion_pytorch_model.safetensors).' });
  }
  const tensors = new Map<string, TensorDescriptor>();
  if (description.layout === 'original') {
    const context = ldmContext(index.tensors.keys());
    for (const [name, descriptor] of index.tensors) {
      for (const { canonical } of mapLdmName(name, descriptor.shape, context) ?? []) tensors.set(canonical, { ...descriptor, name: canonical });
    }
  } else {
    for (const [name, descriptor] of index.tensors) tensors.set(`controlnet.${name}`, { ...descriptor, name: `controlnet.${name}` });
  }
  // A diffusers ControlNet's config.json beside its weights (the folder given, or its weights file).
  const configFile = path.join(path.dirname(file), 'config.json');
  const config = existsSync(configFile) ? await controlNetConfigFile(configFile) : undefined;
  return { source: resolved, base: description.base, tensors, ...(config ? { config } : {}) };
}

export interface OpenedT2IAdapter {
  readonly source: string;
  readonly base: ControlBase;
  /** Canonical `t2i.*` tensors in diffusers' FullAdapter naming (`t2i.conv_in`, `t2i.body.L.resnets.R.block1`, …). */
  readonly tensors: Map<string, TensorDescriptor>;
}

/** Opens a T2I-Adapter: SD1.5 full_adapter as TencentARC's `body.K.*` (K = level·blocks + block) or diffusers'
 * `adapter.*`; SDXL's full_adapter_xl in diffusers form. */
export async function openT2IAdapter(source: string): Promise<OpenedT2IAdapter> {
  const resolved = path.resolve(source);
  const what = path.basename(resolved);
  const file = await componentWeightsFile(source, 'T2I-Adapter', 'Choose a T2I-Adapter file (.pth or .safetensors) or a diffusers T2IAdapter folder.');
  const index = await readTensorFile(file);
  const description = describeControl(new Map([...index.tensors].map(([n, d]) => [n, d.shape])));
  if (description?.kind !== 't2i-adapter') {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: description?.kind === 'controlnet' ? `${what} is a ControlNet, not a T2I-Adapter.` : `${what} is not a T2I-Adapter: it has no adapter body (conv_in and body.N blocks).`,
      hint: description?.kind === 'controlnet' ? 'Use it as a ControlNet unit (a control unit takes either kind).' : 'Run `faceid inspect` on it to see what it is, and choose a T2I-Adapter.',
    });
  }
  if (description.base === 'sdxl' && description.layout === 'original') {
    throw new StudioError('compile.unsupported-model', { userMessage: `${what} names an SDXL T2I-Adapter's tensors as TencentARC's SD1.5 files do; SDXL adapters are read in diffusers form.`, hint: 'Use the diffusers form (adapter.* names, as TencentARC publishes its SDXL adapters).' });
  }
  const tensors = new Map<string, TensorDescriptor>();
  if (description.layout === 'diffusers') {
    for (const [name, d] of index.tensors) if (name.startsWith('adapter.')) tensors.set(`t2i.${name.slice('adapter.'.length)}`, { ...d, name: `t2i.${name.slice('adapter.'.length)}` });
  } else {
    // TencentARC numbers its resnet blocks through all levels; each level has the same count, and the level's first
    // block carries in_conv where the width changes.
    const blocks = new Set([...index.tensors.keys()].map((n) => /^body\.(\d+)\./u.exec(n)?.[1]).filter((v) => v !== undefined)).size;
    const perLevel = blocks / 4;
    for (const [name, d] of index.tensors) {
      const body = /^body\.(\d+)\.(in_conv|block1|block2)\.(weight|bias)$/u.exec(name);
      const canonical = body
        ? body[2] === 'in_conv'
          ? `t2i.body.${Math.floor(Number(body[1]) / perLevel)}.in_conv.${body[3]}`
          : `t2i.body.${Math.floor(Number(body[1]) / perLevel)}.resnets.${Number(body[1]) % perLevel}.${body[2]}.${body[3]}`
        : name.startsWith('conv_in.') ? `t2i.${name}` : undefined;
      if (canonical) tensors.set(canonical, { ...d, name: canonical });
    }
  }
  return { source: resolved, base: description.base, tensors };
}
