// IP-Adapter FaceID image projections (spec §4) as an ONNX graph built from the adapter file's `image_proj.*` tensors:
//   MLPProjModel (FaceID, Portrait): id [N,512] → GELU(Linear) → Linear → [N,T,C] → LayerNorm
//   ProjPlusModel (FaceID-Plus/PlusV2): X = MLP head (T=4); Y = FacePerceiverResampler(latents=X, x=CLIP hidden);
//   out = shortcut·X + scale·Y (PlusV2: shortcut 1, scale = s_scale "structure"; Plus v1: shortcut 0, scale 1).
// Every size comes from the tensor shapes, so SD1.5 (C=768) and SDXL (C=2048) use the same code.
import { GraphBuilder, type Value } from '../graph/graph-builder.ts';
import { attention, gelu, Net } from '../graph/layers.ts';
import type { WeightMap } from '../graph/weight-map.ts';
import { StudioError } from '../../base/errors.ts';

export const FACE_PROJECTION_IO = {
  idEmbeds: 'id_embeds',
  clipHidden: 'clip_hidden',
  shortcutScale: 'shortcut_scale',
  structureScale: 'structure_scale',
  tokens: 'ip_tokens',
} as const;

const PREFIX = 'image_proj.';
const LAYER_NORM_EPS = 1e-5;
const PERCEIVER_HEAD_DIM = 64;

export interface FaceProjectionConfig {
  readonly kind: 'mlp' | 'plus';
  /** ArcFace embedding width (512). */
  readonly idDim: number;
  /** Tokens per reference (4 FaceID/Plus, 16 Portrait). */
  readonly tokens: number;
  /** Token width C = the UNet's cross-attention width. */
  readonly dim: number;
  /** CLIP hidden width (1280 for ViT-H) and resampler depth, Plus only. */
  readonly clipDim?: number;
  readonly depth?: number;
}

/** Reads the projection's architecture from the shapes of `image_proj.*`. */
export function faceProjectionConfig(weights: WeightMap): FaceProjectionConfig {
  if (!weights.has(`${PREFIX}proj.0.weight`) || !weights.has(`${PREFIX}proj.2.weight`) || !weights.has(`${PREFIX}norm.weight`)) {
    throw new StudioError('compile.missing-tensor', {
      userMessage: `${weights.source} has no FaceID projection (image_proj.proj.0/proj.2/norm): it is not an IP-Adapter FaceID file, or it is the Portrait-unnorm Resampler, which is not supported.`,
      hint: 'Choose an ip-adapter-faceid*, faceid-plus*, or faceid-portrait* file.',
    });
  }
  const [hidden, idDim] = weights.shape(`${PREFIX}proj.0.weight`) as [number, number];
  const [rows] = weights.shape(`${PREFIX}proj.2.weight`) as [number];
  weights.get(`${PREFIX}proj.2.weight`, [rows, hidden]);
  const [dim] = weights.shape(`${PREFIX}norm.weight`) as [number];
  if (rows % dim !== 0) {
    throw new StudioError('compile.wrong-shape', {
      userMessage: `${weights.source}: image_proj.proj.2 has ${rows} outputs, not a whole number of ${dim}-wide tokens.`,
      hint: 'The file is damaged or not an IP-Adapter FaceID file.',
    });
  }
  const tokens = rows / dim;
  if (!weights.has(`${PREFIX}perceiver_resampler.proj_in.weight`)) return { kind: 'mlp', idDim, tokens, dim };
  const [, clipDim] = weights.shape(`${PREFIX}perceiver_resampler.proj_in.weight`) as [number, number];
  let depth = 0;
  while (weights.has(`${PREFIX}perceiver_resampler.layers.${depth}.0.to_q.weight`)) depth++;
  return { kind: 'plus', idDim, tokens, dim, clipDim, depth };
}

/** MLPProjModel: the ID tokens [N, T, C]. */
function idTokens(net: Net, id: Value, config: FaceProjectionConfig): Value {
  const g = net.g;
  const h = gelu(g, net.linear(id, `${PREFIX}proj.0`, { in: config.idDim }));
  const x = net.linear(h, `${PREFIX}proj.2`, { out: config.tokens * config.dim });
  const tokens = g.op('Reshape', [x, g.constInt64([-1, config.tokens, config.dim])]);
  return net.layerNorm(tokens, `${PREFIX}norm`, LAYER_NORM_EPS, config.dim);
}

/** PerceiverAttention(x, latents): latents attend to [LN1(x) ; LN2(latents)] (ip_adapter/resampler.py). */
function perceiverAttention(net: Net, x: Value, latents: Value, path: string, dim: number): Value {
  const g = net.g;
  const xn = net.layerNorm(x, `${path}.norm1`, LAYER_NORM_EPS, dim);
  const ln = net.layerNorm(latents, `${path}.norm2`, LAYER_NORM_EPS, dim);
  const q = net.linear(ln, `${path}.to_q`, { bias: false, in: dim });
  const kv = net.linear(g.op('Concat', [xn, ln], { axis: 1 }), `${path}.to_kv`, { bias: false, out: 2 * dim, in: dim });
  const [k, v] = g.opMulti('Split', [kv, g.constInt64([dim, dim])], 2, { axis: -1 });
  const heads = dim / PERCEIVER_HEAD_DIM;
  return net.linear(attention(g, q, k!, v!, heads, dim), `${path}.to_out`, { bias: false, in: dim });
}

/** FeedForward: LayerNorm → Linear(C,4C) → GELU → Linear(4C,C), no biases on the linears. */
function feedForward(net: Net, x: Value, path: string, dim: number): Value {
  const h = net.layerNorm(x, `${path}.0`, LAYER_NORM_EPS, dim);
  return net.linear(gelu(net.g, net.linear(h, `${path}.1`, { bias: false, in: dim })), `${path}.3`, { bias: false, out: dim });
}

/** The projection graph: id_embeds [N, idDim] (+ clip_hidden [N, S, clipDim], shortcut_scale, structure_scale) → ip_tokens [N, T, C]. */
export function buildFaceProjection(weights: WeightMap, config: FaceProjectionConfig): GraphBuilder {
  const g = new GraphBuilder('face_projection');
  const net = new Net(g, weights);
  const id = g.input(FACE_PROJECTION_IO.idEmbeds, 'float', ['n', config.idDim]);
  const x = idTokens(net, id, config);
  if (config.kind === 'mlp') {
    g.output(x, FACE_PROJECTION_IO.tokens, 'float', ['n', config.tokens, config.dim]);
    return g;
  }
  const p = `${PREFIX}perceiver_resampler`;
  const clip = g.input(FACE_PROJECTION_IO.clipHidden, 'float', ['n', 'clip_tokens', config.clipDim!]);
  const shortcut = g.input(FACE_PROJECTION_IO.shortcutScale, 'float', [1]);
  const structure = g.input(FACE_PROJECTION_IO.structureScale, 'float', [1]);
  const xin = net.linear(clip, `${p}.proj_in`, { in: config.clipDim!, out: config.dim });
  let latents = x;
  for (let l = 0; l < config.depth!; l++) {
    latents = g.op('Add', [perceiverAttention(net, xin, latents, `${p}.layers.${l}.0`, config.dim), latents]);
    latents = g.op('Add', [feedForward(net, latents, `${p}.layers.${l}.1`, config.dim), latents]);
  }
  const y = net.layerNorm(net.linear(latents, `${p}.proj_out`, { in: config.dim, out: config.dim }), `${p}.norm_out`, LAYER_NORM_EPS, config.dim);
  const out = g.op('Add', [g.op('Mul', [x, shortcut]), g.op('Mul', [y, structure])]);
  g.output(out, FACE_PROJECTION_IO.tokens, 'float', ['n', config.tokens, config.dim]);
  return g;
}
