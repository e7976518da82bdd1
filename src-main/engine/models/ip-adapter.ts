// An IP-Adapter FaceID file (tencent .bin or its .safetensors twin: `image_proj.*`, `ip_adapter.N.*`) checked against
// a UNet and turned into what the UNet graph needs: to_k_ip/to_v_ip per cross-attention. Its FaceID LoRA
// (`ip_adapter.N.to_{q,k,v,out}_lora.{down,up}.weight`) is resolved by io/lora.ts like any other LoRA.
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { WeightMap } from '../graph/weight-map.ts';
import type { UNetConfig } from './config.ts';
import { attentionProcessors, type IpAttentionWeights } from './unet.ts';

export type IpAdapterVariant = 'faceid' | 'faceid-plus' | 'faceid-portrait';

export interface IpAdapterForUNet {
  readonly label: string;
  readonly variant: IpAdapterVariant;
  /** Width of the IP tokens (= the UNet's cross-attention width). */
  readonly tokenDim: number;
  readonly attention: IpAttentionWeights;
}

function variantOf(tensors: ReadonlyMap<string, TensorDescriptor>): IpAdapterVariant {
  if (tensors.has('image_proj.perceiver_resampler.proj_in.weight')) return 'faceid-plus';
  return tensors.has('ip_adapter.0.to_q_lora.down.weight') ? 'faceid' : 'faceid-portrait';
}

/** Checks the adapter fits the UNet (base model, layer count, widths) and maps its tensors. */
export function ipAdapterForUNet(file: string, tensors: ReadonlyMap<string, TensorDescriptor>, unet: UNetConfig): IpAdapterForUNet {
  const label = path.basename(file);
  const weights = new WeightMap(tensors, label);
  const processors = attentionProcessors(unet);
  const cross = processors.filter((p) => p.cross);
  const firstKey = weights.optional(`ip_adapter.${cross[0]?.index ?? 1}.to_k_ip.weight`);
  const adapterProcessors = new Set([...tensors.keys()].filter((n) => n.startsWith('ip_adapter.')).map((n) => Number(n.split('.')[1])));
  if (!firstKey) {
    throw new StudioError('compile.missing-tensor', {
      userMessage: `${label} has no IP-Adapter attention weights (ip_adapter.N.to_k_ip.weight): it is not an IP-Adapter FaceID file.`,
      hint: 'Choose an ip-adapter-faceid*.bin or .safetensors file.',
    });
  }
  const adapterWidth = firstKey.shape[1]!;
  const maxIndex = Math.max(...adapterProcessors);
  if (adapterWidth !== unet.crossAttentionDim || maxIndex + 1 !== processors.length) {
    const base = (width: number) => (width === 2048 ? 'SDXL' : width === 768 ? 'SD1.5' : `a model with ${width}-wide text conditioning`);
    throw new StudioError('compile.wrong-base', {
      userMessage:
        `${label} is an IP-Adapter for ${base(adapterWidth)} (${maxIndex + 1} attention layers, ${adapterWidth}-wide tokens), ` +
        `but the checkpoint is ${base(unet.crossAttentionDim)} (${processors.length} attention layers, ${unet.crossAttentionDim}-wide).`,
      hint: 'Use the FaceID file made for your checkpoint\'s base model (…_sd15 for SD1.5, …_sdxl for SDXL).',
    });
  }
  const pathOf = new Map(processors.map((p) => [p.path, p.index]));
  for (const layer of cross) {
    weights.get(`ip_adapter.${layer.index}.to_k_ip.weight`, [layer.channels, unet.crossAttentionDim]);
    weights.get(`ip_adapter.${layer.index}.to_v_ip.weight`, [layer.channels, unet.crossAttentionDim]);
  }
  return {
    label,
    variant: variantOf(tensors),
    tokenDim: adapterWidth,
    attention: { weights, prefixOf: (p) => `ip_adapter.${pathOf.get(p)!}` },
  };
}
