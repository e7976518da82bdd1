// The CLIP encoder layer stack shared by the text and vision towers (HF CLIPEncoderLayer):
//   h = h + out_proj(MHA(LN1(h)));  h = h + fc2(act(fc1(LN2(h))))
import { type Value } from '../graph/graph-builder.ts';
import { attention, gelu, quickGelu, type Net } from '../graph/layers.ts';

export interface ClipEncoderShape {
  readonly hiddenSize: number;
  readonly heads: number;
  readonly intermediateSize: number;
  readonly eps: number;
  readonly activation: 'quick_gelu' | 'gelu';
}

/** One encoder layer at `path` (…encoder.layers.i); `mask` is added to the attention scores when given. */
export function clipEncoderLayer(net: Net, h: Value, path: string, shape: ClipEncoderShape, mask?: Value): Value {
  const { g } = net;
  const d = shape.hiddenSize;
  const attended = g.scope(`${path}.self_attn`, () => {
    const x = net.layerNorm(h, `${path}.layer_norm1`, shape.eps, d);
    const q = net.linear(x, `${path}.self_attn.q_proj`, { in: d, out: d });
    const k = net.linear(x, `${path}.self_attn.k_proj`, { in: d, out: d });
    const v = net.linear(x, `${path}.self_attn.v_proj`, { in: d, out: d });
    const o = mask ? maskedAttention(net, q, k, v, shape.heads, d, mask) : attention(g, q, k, v, shape.heads, d);
    return net.linear(o, `${path}.self_attn.out_proj`, { in: d, out: d });
  });
  const h1 = g.op('Add', [h, attended]);
  const mlp = g.scope(`${path}.mlp`, () => {
    const x = net.layerNorm(h1, `${path}.layer_norm2`, shape.eps, d);
    const up = net.linear(x, `${path}.mlp.fc1`, { in: d, out: shape.intermediateSize });
    const act = shape.activation === 'gelu' ? gelu(g, up) : quickGelu(g, up);
    return net.linear(act, `${path}.mlp.fc2`, { in: shape.intermediateSize, out: d });
  });
  return g.op('Add', [h1, mlp]);
}

function maskedAttention(net: Net, q: Value, k: Value, v: Value, heads: number, dim: number, mask: Value): Value {
  const { g } = net;
  const split = (x: Value) => g.op('Transpose', [g.op('Reshape', [x, g.constInt64([0, 0, heads, -1])])], { perm: [0, 2, 1, 3] });
  const scores = g.op('Mul', [g.op('MatMul', [split(q), g.op('Transpose', [split(k)], { perm: [0, 1, 3, 2] })]), g.constFloat(1 / Math.sqrt(dim / heads))]);
  const probs = g.op('Softmax', [g.op('Add', [scores, mask])], { axis: -1 });
  const o = g.op('MatMul', [probs, split(v)]);
  return g.op('Reshape', [g.op('Transpose', [o], { perm: [0, 2, 1, 3] }), g.constInt64([0, 0, -1])]);
}
