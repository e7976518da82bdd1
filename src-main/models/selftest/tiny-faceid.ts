// Tensor list of an IP-Adapter FaceID checkpoint (safetensors form: image_proj.* + ip_adapter.*) for a UNet
// with the given attention widths: MLPProjModel (512 → 1024 → tokens·C, LayerNorm C) and, per attention
// processor N, LoRA down/up on to_q/to_k/to_v/to_out plus to_k_ip/to_v_ip on the cross-attentions (odd N).
// Same keys and shape rules as h94's files (spec §8.1–8.2); rank and widths come from the arguments.
import type { TensorSpec } from './tiny-sd15.ts';

export interface FaceIdAdapterConfig {
  /** Hidden width of every attention processor, in IP-Adapter order (attn1, attn2, attn1, …). */
  readonly processorWidths: readonly number[];
  readonly contextDim: number;
  readonly tokens: number;
  readonly loraRank: number;
  readonly idDim: number;
}

export function faceIdAdapterSpecs(config: FaceIdAdapterConfig): TensorSpec[] {
  const C = config.contextDim;
  const specs: TensorSpec[] = [
    { name: 'image_proj.proj.0.weight', shape: [1024, config.idDim], role: 'weight' },
    { name: 'image_proj.proj.0.bias', shape: [1024], role: 'bias' },
    { name: 'image_proj.proj.2.weight', shape: [config.tokens * C, 1024], role: 'weight' },
    { name: 'image_proj.proj.2.bias', shape: [config.tokens * C], role: 'bias' },
    { name: 'image_proj.norm.weight', shape: [C], role: 'norm' },
    { name: 'image_proj.norm.bias', shape: [C], role: 'bias' },
  ];
  const r = config.loraRank;
  config.processorWidths.forEach((d, n) => {
    const isCross = n % 2 === 1;
    const keyIn = isCross ? C : d;
    if (r > 0) {
      for (const [projection, inWidth] of [['to_q', d], ['to_k', keyIn], ['to_v', keyIn], ['to_out', d]] as const) {
        specs.push({ name: `ip_adapter.${n}.${projection}_lora.down.weight`, shape: [r, inWidth], role: 'weight' });
        specs.push({ name: `ip_adapter.${n}.${projection}_lora.up.weight`, shape: [d, r], role: 'weight' });
      }
    }
    if (isCross) {
      specs.push({ name: `ip_adapter.${n}.to_k_ip.weight`, shape: [d, C], role: 'weight' });
      specs.push({ name: `ip_adapter.${n}.to_v_ip.weight`, shape: [d, C], role: 'weight' });
    }
  });
  return specs;
}
