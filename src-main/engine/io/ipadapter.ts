// IP-Adapter FaceID weights (.bin zip pickle or .safetensors twin) as `image_proj.<k>` / `ip_adapter.<k>` tensors,
// with base model and variant read from names and shapes (spec §5, §8; ComfyUI's detection rules).
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { TensorDescriptor } from './descriptors.ts';
import { readTensorFile } from './tensor-file.ts';

export type IpAdapterBase = 'sd15' | 'sdxl';
/**
 * FaceID-Plus (v1) and PlusV2 have the same tensors (spec §5, manifests: 344 each for SD1.5), so detection
 * reports 'faceid-plus' for both; 'faceid-plusv2' is for a caller that knows (the user said so) and wants
 * the shortcut (`X_id + s·Perceiver`). Our default recommendation is V2 semantics: v1 is deprecated upstream.
 */
export type IpAdapterVariant = 'faceid' | 'faceid-plus' | 'faceid-plusv2' | 'faceid-portrait';
/** MLPProjModel, ProjPlusModel (MLP + FacePerceiverResampler), or the Resampler of portrait_sdxl_unnorm. */
export type IpAdapterProjection = 'mlp' | 'proj-plus' | 'resampler';

export interface IpAdapterInfo {
  readonly base: IpAdapterBase;
  readonly variant: IpAdapterVariant;
  readonly projection: IpAdapterProjection;
  /** IP tokens per reference image (4; 16 for Portrait). */
  readonly tokens: number;
  /** C: the UNet's cross-attention width the adapter was trained for (768 SD1.5, 2048 SDXL in the real files). */
  readonly crossAttentionDim: number;
  /** Attention processors of the UNet it was built for (32 SD1.5, 140 SDXL). */
  readonly processorCount: number;
  /** Rank of the LoRA inside the file (to_q/k/v/out of every processor), absent when it has none. */
  readonly loraRank?: number;
}

export interface IpAdapter extends IpAdapterInfo {
  readonly source: string;
  readonly tensors: Map<string, TensorDescriptor>;
}

/**
 * The base a UNet with `count` attention processors (attn1 + attn2 of every transformer block) has, or undefined.
 * SD1.5: one transformer block in each of 2 + 2 + 2 down, 3 + 3 + 3 up and 1 mid attention = 32. SDXL: attention in
 * down_blocks.1/2 (2 each) and up_blocks.0/1 (3 each) and mid, with transformer depth a at the 640 level and b at
 * the 1280 level and mid: 2·(2a + 2b + 3b + 3a + b) = 2·(5a + 6b) — 140 for the real (a, b) = (2, 10), and other
 * counts for test models with shallower blocks; 32 itself is read as SD1.5, whose layout it is.
 */
export function baseFromProcessorCount(count: number): IpAdapterBase | undefined {
  if (count === 32) return 'sd15';
  const half = count / 2;
  for (let a = 1; 5 * a + 6 <= half; a++) {
    if ((half - 5 * a) % 6 === 0) return 'sdxl';
  }
  return undefined;
}

export async function openIpAdapter(file: string): Promise<IpAdapter> {
  const index = await readTensorFile(file);
  const what = path.basename(file);
  const tensors = new Map<string, TensorDescriptor>();
  for (const [name, descriptor] of index.tensors) {
    // ComfyUI also accepts `adapter_modules` for the attention weights.
    const canonical = name.startsWith('adapter_modules.') ? `ip_adapter.${name.slice('adapter_modules.'.length)}` : name;
    tensors.set(canonical, { ...descriptor, name: canonical });
  }
  const info = describeIpAdapter(new Map([...tensors].map(([n, t]) => [n, t.shape])), what);
  return { source: index.file, ...info, tensors };
}

/** True when the names look like an IP-Adapter (both groups present). */
export function looksLikeIpAdapter(names: Iterable<string>): boolean {
  let proj = false;
  let adapter = false;
  for (const name of names) {
    if (name.startsWith('image_proj.')) proj = true;
    if (name.startsWith('ip_adapter.') || name.startsWith('adapter_modules.')) adapter = true;
  }
  return proj && adapter;
}

/** Base, variant and sizes from `image_proj.*` / `ip_adapter.*` names and shapes. */
export function describeIpAdapter(shapes: ReadonlyMap<string, readonly number[]>, what: string): IpAdapterInfo {
  if (!looksLikeIpAdapter(shapes.keys())) {
    throw new StudioError('checkpoint.wrong-kind', {
      userMessage: `${what} is not an IP-Adapter: it lacks the image_proj and ip_adapter weights.`,
      hint: 'Choose an ip-adapter-faceid*.bin or .safetensors file.',
    });
  }
  let maxProcessor = -1;
  for (const name of shapes.keys()) {
    const m = /^ip_adapter\.(\d+)\./.exec(name);
    if (m) maxProcessor = Math.max(maxProcessor, Number(m[1]));
  }
  // The last processor is an attn2 (odd N), present in every variant, so the count is maxN + 1.
  const processorCount = maxProcessor + 1;
  const base = baseFromProcessorCount(processorCount);
  if (base === undefined) {
    throw new StudioError('checkpoint.unsupported-architecture', {
      userMessage: `${what} is an IP-Adapter for a UNet with ${processorCount} attention layers; that is neither the SD1.5 (32) nor an SDXL layout (140 in the real model).`,
      hint: 'Choose an IP-Adapter FaceID file made for SD1.5 or SDXL.',
    });
  }
  for (let n = 1; n < processorCount; n += 2) {
    for (const part of ['to_k_ip', 'to_v_ip']) {
      if (!shapes.has(`ip_adapter.${n}.${part}.weight`)) throw incomplete(what, `ip_adapter.${n}.${part}.weight`);
    }
  }
  const crossAttentionDim = shapes.get('ip_adapter.1.to_k_ip.weight')![1]!;
  const loraDown = shapes.get('ip_adapter.0.to_q_lora.down.weight');
  const loraRank = loraDown?.[0];
  if (shapes.has('image_proj.latents') && shapes.has('image_proj.proj_in.weight')) {
    const tokens = shapes.get('image_proj.latents')![1]!;
    return withRank({ base, variant: 'faceid-portrait', projection: 'resampler', tokens, crossAttentionDim, processorCount }, loraRank);
  }
  const proj2 = shapes.get('image_proj.proj.2.weight');
  const norm = shapes.get('image_proj.norm.weight');
  if (!proj2 || !norm) throw incomplete(what, proj2 ? 'image_proj.norm.weight' : 'image_proj.proj.2.weight');
  const tokens = proj2[0]! / norm[0]!;
  if (!Number.isInteger(tokens) || tokens < 1) throw incomplete(what, 'a projection whose size is a whole number of tokens');
  if (shapes.has('image_proj.perceiver_resampler.proj_in.weight')) {
    return withRank({ base, variant: 'faceid-plus', projection: 'proj-plus', tokens, crossAttentionDim, processorCount }, loraRank);
  }
  // FaceID proper carries its LoRA; Portrait has none and 16 tokens per image (ComfyUI: proj.2 without LoRA).
  const variant: IpAdapterVariant = loraRank === undefined && tokens > 4 ? 'faceid-portrait' : 'faceid';
  return withRank({ base, variant, projection: 'mlp', tokens, crossAttentionDim, processorCount }, loraRank);
}

function withRank(info: Omit<IpAdapterInfo, 'loraRank'>, loraRank: number | undefined): IpAdapterInfo {
  return loraRank === undefined ? info : { ...info, loraRank };
}

function incomplete(what: string, missing: string): StudioError {
  return new StudioError('checkpoint.incomplete', {
    userMessage: `${what} is an incomplete IP-Adapter: it has no ${missing}.`,
    hint: 'Download the file again.',
  });
}
