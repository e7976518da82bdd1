// Classifies a .safetensors file from its header alone (tensor names and shapes; no weights are read):
// checkpoint (LDM single file), FaceID IP-Adapter (variant by its image_proj keys, spec §8), LoRA (FaceID-style
// or not), CLIP vision encoder. The base (SD1.5/SDXL) comes from the topology — the number of attention
// processors — so tiny test models with the same topology are classified like the real ones.
// Torch .bin/.ckpt files go through engine/io's detectModel instead (identify-torch.ts); safetensors stay here
// because the readiness check needs facts detectModel does not give (FaceID-style LoRA, full size vs tiny).
import { describeControl } from '../engine/io/controlnet.ts';
import { describeTaesd } from '../engine/io/taesd.ts';
import { baseFromProcessorCount } from '../engine/io/ipadapter.ts';
import { readSafetensors } from '../engine/io/safetensors.ts';
import { baseLabel } from '../engine/models/architectures.ts';
import { namedEmbeddingSets } from '../engine/io/textual-inversion.ts';
import type { TensorDescriptor } from '../engine/io/descriptors.ts';
import type { ModelBase } from './catalog-schema.ts';
import { t2iIdentity, taesdIdentity, type ModelIdentity } from './identity.ts';

type Tensors = ReadonlyMap<string, TensorDescriptor>;

function baseOf(processorCount: number): ModelBase | null {
  return baseFromProcessorCount(processorCount) ?? null;
}

function classifyCheckpoint(tensors: Tensors): ModelIdentity | null {
  const names = [...tensors.keys()];
  if (!names.some((n) => n.startsWith('model.diffusion_model.'))) return null;
  const isSdxl = names.some((n) => n.startsWith('conditioner.embedders.1.') || n.startsWith('model.diffusion_model.label_emb.'));
  const hasTextEncoder = names.some((n) => n.startsWith('cond_stage_model.') || n.startsWith('conditioner.'));
  const contextDim = [...tensors.entries()].find(([n]) => /transformer_blocks\.0\.attn2\.to_k\.weight$/.test(n))?.[1].shape[1];
  const isFullSize = contextDim === (isSdxl ? 2048 : 768);
  const base: ModelBase = isSdxl ? 'sdxl' : 'sd15';
  if (!hasTextEncoder) return { kind: 'other', base, isFullSize, summary: `${baseLabel(base)} UNet-only file (no text encoder)` };
  return { kind: 'checkpoint', base, isFullSize, summary: `${baseLabel(base)} checkpoint (LDM single file)${isFullSize ? '' : ', tiny test model'}` };
}

function classifyIpAdapter(tensors: Tensors): ModelIdentity | null {
  const names = [...tensors.keys()];
  const ipNames = names.filter((n) => n.startsWith('ip_adapter.'));
  if (ipNames.length === 0 || !names.some((n) => n.startsWith('image_proj.'))) return null;
  const processorCount = Math.max(...ipNames.map((n) => Number(n.split('.')[1]))) + 1;
  const base = baseOf(processorCount);
  if (!base) return { kind: 'other', base: null, isFullSize: false, summary: `IP-Adapter with ${processorCount} attention processors (not SD1.5 or SDXL)` };
  const hasEmbeddedLora = ipNames.some((n) => n.includes('_lora.'));
  const contextDim = tensors.get('ip_adapter.1.to_k_ip.weight')?.shape[1];
  const isFullSize = contextDim === (base === 'sdxl' ? 2048 : 768);
  const suffix = isFullSize ? '' : ', tiny test model';
  const isFaceId = tensors.get('image_proj.proj.0.weight')?.shape[1] === 512 || tensors.get('image_proj.proj_in.weight')?.shape[1] === 512;
  if (!isFaceId) return { kind: 'other', base, isFullSize, summary: `${baseLabel(base)} IP-Adapter (not FaceID: image features, not a face embedding)` };
  if (names.some((n) => n.startsWith('image_proj.perceiver_resampler.'))) {
    return { kind: 'ip-adapter', base, variant: 'faceid-plusv2', alsoPossible: ['faceid-plus'], hasEmbeddedLora, isFullSize, summary: `${baseLabel(base)} FaceID-Plus/PlusV2 adapter${suffix}` };
  }
  if (tensors.has('image_proj.latents')) {
    return { kind: 'ip-adapter', base, variant: 'portrait-unnorm', hasEmbeddedLora, isFullSize, summary: `${baseLabel(base)} FaceID Portrait unnorm adapter${suffix}` };
  }
  const tokensTimesDim = tensors.get('image_proj.proj.2.weight')?.shape[0];
  const dim = tensors.get('image_proj.norm.weight')?.shape[0];
  if (tokensTimesDim === undefined || !dim) return { kind: 'other', base, isFullSize, summary: `${baseLabel(base)} FaceID adapter of an unknown kind` };
  const tokens = tokensTimesDim / dim;
  if (tokens === 16 && !hasEmbeddedLora) {
    return { kind: 'ip-adapter', base, variant: 'portrait', alsoPossible: base === 'sd15' ? ['portrait-v11'] : [], hasEmbeddedLora, isFullSize, summary: `${baseLabel(base)} FaceID Portrait adapter${suffix}` };
  }
  if (tokens === 4) return { kind: 'ip-adapter', base, variant: 'faceid', hasEmbeddedLora, isFullSize, summary: `${baseLabel(base)} FaceID adapter${suffix}` };
  return { kind: 'other', base, isFullSize, summary: `${baseLabel(base)} FaceID adapter with ${tokens} tokens (unknown variant)` };
}

function classifyLora(tensors: Tensors): ModelIdentity | null {
  const modules = new Map<string, TensorDescriptor>();
  for (const [name, descriptor] of tensors) {
    const match = /^lora_unet_(.+)\.lora_down\.weight$/.exec(name);
    if (match) modules.set(match[1]!, descriptor);
  }
  if (modules.size === 0) return null;
  const attention = [...modules.keys()].filter((m) => /_attn[12]_to_(q|k|v|out_0)$/.test(m));
  const attentionCount = attention.length / 4;
  // A LoRA over every attention layer has the UNet's processor count; one over some of them is SDXL when it names
  // what only SDXL has (a second text encoder, a second transformer block in a level).
  const sdxlOnly = [...tensors.keys()].some((n) => n.startsWith('lora_te2_') || /transformer_blocks_[1-9]/.test(n));
  const base = baseOf(attentionCount) ?? (sdxlOnly ? 'sdxl' : null);
  const isFaceIdLora = attention.length === modules.size && baseOf(attentionCount) !== null;
  const rank = [...modules.values()][0]?.shape[0];
  const keyDimOfAttn2 = [...modules.entries()].find(([m]) => m.endsWith('_attn2_to_k'))?.[1].shape[1];
  const isFullSize = keyDimOfAttn2 === (base === 'sdxl' ? 2048 : 768);
  const what = isFaceIdLora ? 'FaceID-style LoRA (attention only)' : 'LoRA';
  return { kind: 'lora', base, isFaceIdLora, isFullSize, summary: `${base ? baseLabel(base) : 'UNet'} ${what}, rank ${rank}${isFullSize ? '' : ', tiny test model'}` };
}

function classifyImageEncoder(tensors: Tensors): ModelIdentity | null {
  if (!tensors.has('visual_projection.weight') || !tensors.has('vision_model.embeddings.patch_embedding.weight')) return null;
  const patch = tensors.get('vision_model.embeddings.patch_embedding.weight')!.shape;
  const hidden = patch[0];
  const layers = new Set([...tensors.keys()].map((n) => /^vision_model\.encoder\.layers\.(\d+)\./.exec(n)?.[1]).filter(Boolean)).size;
  const isFullSize = hidden === 1280 && layers === 32 && patch[2] === 14;
  return { kind: 'image-encoder', base: null, isFullSize, summary: `CLIP vision encoder (hidden ${hidden}, ${layers} layers, patch ${patch[2]})${isFullSize ? ' = ViT-H/14' : ''}` };
}

function classifyControl(tensors: Tensors): ModelIdentity | null {
  const control = describeControl(new Map([...tensors].map(([name, d]) => [name, d.shape])));
  if (!control) return null;
  const isFullSize = control.details['crossAttentionDim'] === (control.base === 'sdxl' ? 2048 : 768);
  const suffix = isFullSize ? '' : ', tiny test model';
  if (control.kind === 't2i-adapter') return t2iIdentity(control.base, control.layout, control.details['width']);
  return { kind: 'controlnet', base: control.base, isFullSize, summary: `${baseLabel(control.base)} ControlNet (${control.layout} layout)${suffix}` };
}

/** SD1.5 CLIP-L and SDXL's CLIP-L + bigG token widths: an embedding of other widths is a tiny test one (or SD2's). */
const FULL_EMBEDDING_WIDTHS: Readonly<Record<ModelBase, readonly number[]>> = { sd15: [768], sdxl: [768, 1280] };

function classifyEmbedding(tensors: Tensors): ModelIdentity | null {
  const sets = namedEmbeddingSets(tensors);
  if (!sets) return null;
  const base: ModelBase = sets.single ? 'sd15' : 'sdxl';
  const shapes = Object.values(sets).map((d) => (d.shape.length === 1 ? [1, d.shape[0]!] : d.shape));
  const widths = shapes.map((shape) => shape.at(-1)!);
  const isFullSize = widths.join() === FULL_EMBEDDING_WIDTHS[base].join();
  // An SD2 embedding (1024 wide) fits neither base.
  const fits = isFullSize || !widths.includes(1024);
  return { kind: 'embedding', base: fits ? base : null, isFullSize, summary: `${fits ? baseLabel(base) : 'SD2'} textual-inversion embedding, ${shapes[0]![0]} vector(s)${isFullSize || !fits ? '' : ', tiny test model'}` };
}

/** A VAE alone (AutoencoderKL in diffusers names, or original names bare): SD1.5's and SDXL's share one layout. */
function classifyVae(tensors: Tensors): ModelIdentity | null {
  const convIn = tensors.get('encoder.conv_in.weight');
  if (!convIn || !tensors.has('decoder.conv_in.weight') || !(tensors.has('quant_conv.weight') || tensors.has('post_quant_conv.weight'))) return null;
  const latentChannels = tensors.get('decoder.conv_in.weight')!.shape[1];
  const isFullSize = convIn.shape[0] === 128;
  return { kind: 'vae', base: null, isFullSize, summary: `VAE (${latentChannels} latent channels)${isFullSize ? '' : ', tiny test model'}` };
}

function classifyTaesd(tensors: Tensors): ModelIdentity | null {
  const layout = describeTaesd(new Map([...tensors].map(([name, d]) => [name, d.shape])));
  if (!layout) return null;
  return taesdIdentity(layout, tensors.get(layout === 'original' ? '1.weight' : 'decoder.layers.0.weight')?.shape[0]);
}

export async function identifySafetensors(file: string): Promise<ModelIdentity | null> {
  let tensors: Tensors;
  try {
    tensors = (await readSafetensors(file)).tensors;
  } catch {
    return null; // not a valid safetensors file: the scan lists it as unrecognised
  }
  return classifyCheckpoint(tensors) ?? classifyControl(tensors) ?? classifyTaesd(tensors) ?? classifyIpAdapter(tensors) ?? classifyLora(tensors) ?? classifyImageEncoder(tensors) ?? classifyEmbedding(tensors) ?? classifyVae(tensors) ?? { kind: 'other', base: null, isFullSize: true, summary: `safetensors file with ${tensors.size} tensors (not a model the studio uses)` };
}
