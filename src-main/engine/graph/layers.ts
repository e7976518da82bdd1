// Layers built from the graph builder: the PyTorch modules our models are made of (Linear, Conv2d, GroupNorm,
// LayerNorm, multi-head attention, activations), each reading its weights by module path from a WeightMap and
// adding any LoRA registered on that weight.
//
//   const net = new Net(g, weights, loras);
//   h = net.linear(h, 'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q', { bias: false });
//   h = net.conv2d(h, 'unet.conv_in', { padding: 1 });
//   h = net.groupNorm(h, 'unet.conv_norm_out', 32, 1e-5);
//   o = attention(g, q, k, v, heads);     // [B,N,d] ×3 → [B,N,d], softmax in fp32
import type { TensorDescriptor } from '../io/descriptors.ts';
import { float, type Conv2dOptions, type GraphBuilder, type Value } from './graph-builder.ts';
import type { LoraSet } from './lora.ts';
import type { WeightMap } from './weight-map.ts';

/** y = x·Wᵀ (+ b), x [..., in], W [out, in]. */
export function linear(g: GraphBuilder, x: Value, weight: TensorDescriptor, bias?: TensorDescriptor): Value {
  const w = weight.shape.length > 2 ? g.weight(weight, weight.shape.slice(0, 2)) : g.weight(weight);
  const y = g.op('MatMul', [x, g.op('Transpose', [w], { perm: [1, 0] })]);
  return bias ? g.op('Add', [y, g.weight(bias)]) : y;
}

/** NCHW convolution with square kernel, stride and padding. */
export function conv2d(g: GraphBuilder, x: Value, weight: TensorDescriptor, bias: TensorDescriptor | undefined, options: Conv2dOptions = {}): Value {
  const padding = options.padding ?? 0;
  const stride = options.stride ?? 1;
  const inputs = [x, g.weight(weight)];
  if (bias) inputs.push(g.weight(bias));
  return g.op('Conv', inputs, { pads: [padding, padding, padding, padding], strides: [stride, stride] });
}

/** GroupNorm over NC…: per-channel affine (opset ≥ 21 semantics). */
export function groupNorm(g: GraphBuilder, x: Value, weight: TensorDescriptor, bias: TensorDescriptor, groups: number, eps: number): Value {
  return g.op('GroupNormalization', [x, g.weight(weight), g.weight(bias)], { num_groups: groups, epsilon: float(eps) });
}

/** LayerNorm over the last axis with biased variance. */
export function layerNorm(g: GraphBuilder, x: Value, weight: TensorDescriptor, bias: TensorDescriptor, eps: number): Value {
  return g.op('LayerNormalization', [x, g.weight(weight), g.weight(bias)], { axis: -1, epsilon: float(eps) });
}

export function silu(g: GraphBuilder, x: Value): Value {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** Exact (erf) GELU, torch nn.GELU() default. */
export function gelu(g: GraphBuilder, x: Value): Value {
  return g.op('Gelu', [x]);
}

/** CLIP's quick_gelu: x·sigmoid(1.702x). */
export function quickGelu(g: GraphBuilder, x: Value): Value {
  return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.constFloat(1.702)])])]);
}

/** [B, N, H·dh] → [B, H, N, dh]. */
export function splitHeads(g: GraphBuilder, x: Value, heads: number): Value {
  const shaped = g.op('Reshape', [x, g.constInt64([0, 0, heads, -1])]);
  return g.op('Transpose', [shaped], { perm: [0, 2, 1, 3] });
}

/** [B, H, N, dh] → [B, N, H·dh]. */
export function mergeHeads(g: GraphBuilder, x: Value): Value {
  const transposed = g.op('Transpose', [x], { perm: [0, 2, 1, 3] });
  return g.op('Reshape', [transposed, g.constInt64([0, 0, -1])]);
}

/**
 * Scaled dot-product attention on head-split tensors ([B,H,Nq,dh], [B,H,Nk,dh]): softmax(q·kᵀ/√dh)·v in fp32,
 * no mask, as diffusers' AttnProcessor computes it. Returns [B,H,Nq,dh].
 */
export function scaledDotProductAttention(g: GraphBuilder, q: Value, k: Value, v: Value, headDim: number): Value {
  const scores = g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
  const scaled = g.op('Mul', [scores, g.constFloat(1 / Math.sqrt(headDim))]);
  return g.op('MatMul', [g.op('Softmax', [scaled], { axis: -1 }), v]);
}

/** How a graph computes attention: onnxruntime's fused MultiHeadAttention, or MatMul → Softmax → MatMul. */
export type AttentionKernel = 'fused' | 'unfused';

/** Multi-head attention on [B,N,d] projections: split heads, attend, merge — or onnxruntime's fused op when the graph
 *  is built with fusedAttention (softmax(q·kᵀ/√dh)·v per head, fp32, no mask, the same result). */
export function attention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number, dim: number): Value {
  if (g.fusedAttention) return g.contribOp('MultiHeadAttention', [q, k, v], { num_heads: heads });
  const headDim = dim / heads;
  return mergeHeads(g, scaledDotProductAttention(g, splitHeads(g, q, heads), splitHeads(g, k, heads), splitHeads(g, v, heads), headDim));
}

/** Layers that read weights by module path and add registered LoRAs: reads like the PyTorch module tree. */
export class Net {
  readonly g: GraphBuilder;
  readonly weights: WeightMap;
  private readonly loras: LoraSet | undefined;

  constructor(g: GraphBuilder, weights: WeightMap, loras?: LoraSet) {
    this.g = g;
    this.weights = weights;
    this.loras = loras;
  }

  /** nn.Linear at `path` (`path.weight`, `path.bias` when present or required). */
  linear(x: Value, path: string, options: { bias?: boolean; in?: number; out?: number } = {}): Value {
    const weight = this.weights.get(`${path}.weight`, [options.out, options.in]);
    const bias = options.bias === false ? undefined : this.weights.optional(`${path}.bias`, [weight.shape[0]]);
    const y = linear(this.g, x, weight, bias);
    return this.loras ? this.loras.applyLinear(this.g, x, y, weight.name) : y;
  }

  /** nn.Conv2d at `path`. */
  conv2d(x: Value, path: string, options: Conv2dOptions & { in?: number; out?: number } = {}): Value {
    const weight = this.weights.get(`${path}.weight`, [options.out, options.in, undefined, undefined]);
    const bias = this.weights.optional(`${path}.bias`, [weight.shape[0]]);
    const y = conv2d(this.g, x, weight, bias, options);
    return this.loras ? this.loras.applyConv(this.g, x, y, weight.name, options) : y;
  }

  groupNorm(x: Value, path: string, groups: number, eps: number, channels?: number): Value {
    return groupNorm(this.g, x, this.weights.get(`${path}.weight`, [channels]), this.weights.get(`${path}.bias`, [channels]), groups, eps);
  }

  layerNorm(x: Value, path: string, eps: number, channels?: number): Value {
    return layerNorm(this.g, x, this.weights.get(`${path}.weight`, [channels]), this.weights.get(`${path}.bias`, [channels]), eps);
  }
}
