// CLIP text encoder (HF CLIPTextModel) → ONNX.
// Inputs: input_ids int64 [batch, tokens] (tokens ≤ max positions, 77 for SD), token_vectors float [batch, tokens,
// hidden] and token_vector_mask bool [batch, tokens, 1]: where the mask is set, that vector replaces the token
// embedding of the id (textual-inversion embeddings, put in before the position embeddings are added as A1111's
// EmbeddingsWithFixes does); an all-false mask gives the plain encoder. (Inputs with initializer defaults would make
// them optional, but onnxruntime warns on every session open that such graphs lose constant folding.)
// Outputs: last_hidden_state [batch, tokens, hidden] (after the final LayerNorm) and penultimate_hidden_state
// (HF hidden_states[-2]: the output of the second-to-last layer, no final LN — "clip skip 2"); with a text projection
// (CLIPTextModelWithProjection, SDXL's second encoder) also text_embeds [batch, projection]: the final-LN state at
// the first highest id (the first EOS, as transformers picks it for these configs) times the projection.
import { GraphBuilder } from '../graph/graph-builder.ts';
import { Net } from '../graph/layers.ts';
import type { LoraSet } from '../graph/lora.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import { clipEncoderLayer } from './clip-transformer.ts';
import type { ClipTextConfig } from './config.ts';

export const TEXT_ENCODER_OUTPUTS = { last: 'last_hidden_state', penultimate: 'penultimate_hidden_state', textEmbeds: 'text_embeds' } as const;
export const TEXT_ENCODER_INPUTS = { ids: 'input_ids', vectors: 'token_vectors', vectorMask: 'token_vector_mask' } as const;

export function buildClipText(weights: WeightMap, config: ClipTextConfig, loras?: LoraSet): GraphBuilder {
  const g = new GraphBuilder(config.component);
  const net = new Net(g, weights, loras);
  if (loras?.touches(`${config.component}.`)) loras.declareInput(g);
  const p = config.prefix;
  const d = config.hiddenSize;
  const ids = g.input(TEXT_ENCODER_INPUTS.ids, 'int64', ['batch', 'tokens']);
  const vectors = g.input(TEXT_ENCODER_INPUTS.vectors, 'float', ['batch', 'tokens', d]);
  const vectorMask = g.input(TEXT_ENCODER_INPUTS.vectorMask, 'bool', ['batch', 'tokens', 1]);
  const tokens = g.op('Gather', [g.op('Shape', [ids]), g.constInt64(1)], { axis: 0 });
  const idEmbeds = g.op('Gather', [g.weight(weights.get(`${p}embeddings.token_embedding.weight`, [config.vocabSize, d])), ids], { axis: 0 });
  const tokenEmbeds = g.op('Where', [vectorMask, vectors, idEmbeds]);
  const positions = g.op('Slice', [
    g.weight(weights.get(`${p}embeddings.position_embedding.weight`, [config.maxPositions, d])),
    g.constInt64([0]),
    g.op('Unsqueeze', [tokens, g.constInt64([0])]),
    g.constInt64([0]),
  ]);
  let h = g.op('Add', [tokenEmbeds, positions]);

  // Causal mask [tokens, tokens]: 0 on and below the diagonal, a large negative above (HF uses finfo(float32).min).
  const n = config.maxPositions;
  const full = Array.from({ length: n * n }, (_, i) => (i % n > Math.floor(i / n) ? -3.4028234663852886e38 : 0));
  const end = g.op('Unsqueeze', [tokens, g.constInt64([0])]);
  const endBoth = g.op('Concat', [end, end], { axis: 0 });
  const mask = g.op('Slice', [g.constFloat(full, [n, n]), g.constInt64([0, 0]), endBoth, g.constInt64([0, 1])]);

  let penultimate = h;
  for (let i = 0; i < config.layers; i++) {
    if (i === config.layers - 1) penultimate = h;
    h = clipEncoderLayer(net, h, `${p}encoder.layers.${i}`, config, mask);
  }
  const last = net.layerNorm(h, `${p}final_layer_norm`, config.eps, d);
  g.output(last, TEXT_ENCODER_OUTPUTS.last, 'float', ['batch', 'tokens', d]);
  g.output(penultimate, TEXT_ENCODER_OUTPUTS.penultimate, 'float', ['batch', 'tokens', d]);
  if (config.projectionSize !== undefined) {
    const eos = g.op('ArgMax', [ids], { axis: 1, keepdims: 1, select_last_index: 0 });
    const pooled = g.op('GatherND', [last, eos], { batch_dims: 1 });
    const projected = net.linear(pooled, `${config.component}.text_projection`, { in: d, out: config.projectionSize, bias: false });
    g.output(projected, TEXT_ENCODER_OUTPUTS.textEmbeds, 'float', ['batch', config.projectionSize]);
  }
  return g;
}
