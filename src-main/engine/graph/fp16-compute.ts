// fp16 compute: rewrites a built fp32 graph so a GPU runs it in half precision, as diffusers does with
// torch_dtype=float16 — weights fp16, activations fp16 — keeping fp32 where diffusers upcasts:
//   - softmax (AttnProcessor's upcast_softmax) and GroupNorm (its statistics are accumulated in fp32): these ops run
//     in fp32 between Casts, their outputs go back to fp16; fused attention (MultiHeadAttention) reads fp16, its
//     kernels keep the softmax's running max and sum in fp32 themselves;
//   - values computed from fp32 graph inputs alone, before any weight touches them: the sinusoidal timestep
//     embeddings (diffusers computes time_proj in fp32 and casts its result) — fp16 cannot hold sin(999·f);
//   - the graph's inputs and outputs stay fp32, so the pipeline feeding them does not change.
// The VAE is not rewritten at all (diffusers upcasts it: fp16 overflows in its decoder at large sizes).
//
// It works on the encoded model (decode → rewrite → encode), so it sits apart from the builders. Types are inferred
// forward over the nodes, which the builder emits in topological order. fp16 weights lose the Cast the builder put
// after them; fp32 weights and constants get a Cast to fp16 that onnxruntime folds when the session opens. On a CPU
// onnxruntime adds Casts around the ops it has no fp16 kernel for, so the graphs run there too (slowly).
import { BugError } from '../../base/errors.ts';
import { decodeModel, encodeModel, OnnxDataType } from './onnx-proto.ts';

/** Ops computed in fp32 inside an fp16 graph. */
export const FP32_OPS: ReadonlySet<string> = new Set(['Softmax', 'GroupNormalization']);

/** Inputs that stay as they are whatever the data's precision (ONNX types them apart: Resize's roi and scales). */
const UNTYPED_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2] };

/** Ops whose output type is not their first input's. */
const INT64_OUTPUT_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);
/** Ops whose output type is that of another input than the first (Where's first input is the bool condition). */
const OUTPUT_TYPE_INPUT: Readonly<Record<string, number>> = { Where: 1 };

const F32 = OnnxDataType.float;
const F16 = OnnxDataType.float16;
const isFloat = (type: number | undefined) => type === F32 || type === F16 || type === OnnxDataType.bfloat16;

interface Attribute {
  name: string;
  i?: number;
  [key: string]: unknown;
}
interface Node {
  input?: string[];
  output?: string[];
  name?: string;
  opType: string;
  attribute?: Attribute[];
}
interface Tensor {
  name: string;
  dataType: number;
  dataLocation?: number;
}
interface ValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number } };
}
interface Model {
  graph: { node?: Node[]; initializer?: Tensor[]; input?: ValueInfo[]; output?: ValueInfo[]; valueInfo?: ValueInfo[] };
  metadataProps?: { key: string; value: string }[];
}

/** What is known of a value while rewriting. */
interface ValueState {
  type: number;
  /** Constant: an initializer or computed from initializers only. */
  isConstant: boolean;
  /** A constant that reads a checkpoint weight (external data), not a small literal. */
  isWeight: boolean;
}

export function toFp16Compute(modelBytes: Uint8Array, options: { fp32Ops?: ReadonlySet<string> } = {}): Uint8Array {
  const fp32Ops = options.fp32Ops ?? FP32_OPS;
  const model = decodeModel(modelBytes) as unknown as Model;
  const graph = model.graph;
  const states = new Map<string, ValueState>();
  for (const t of graph.initializer ?? []) states.set(t.name, { type: t.dataType, isConstant: true, isWeight: t.dataLocation === 1 });
  for (const i of graph.input ?? []) states.set(i.name, { type: i.type?.tensorType?.elemType ?? 0, isConstant: false, isWeight: false });

  /** A value renamed when the node producing it was dropped (a no-longer-needed Cast). */
  const alias = new Map<string, string>();
  const resolve = (name: string) => alias.get(name) ?? name;
  const nodes: Node[] = [];
  const casts = new Map<string, string>();
  let castCount = 0;
  /** `value` as `type`: the value itself, or a Cast (shared between consumers) emitted before the current node. */
  const as = (value: string, type: number): string => {
    const state = states.get(value);
    if (!state || !isFloat(state.type) || state.type === type) return value;
    const key = `${value}->${type}`;
    const known = casts.get(key);
    if (known) return known;
    const output = `${value}__as_${type === F16 ? 'f16' : 'f32'}`;
    nodes.push({ opType: 'Cast', input: [value], output: [output], name: `fp16_compute/Cast_${castCount++}`, attribute: [{ name: 'to', type: 2, i: type }] });
    states.set(output, { ...state, type });
    casts.set(key, output);
    return output;
  };

  for (const original of graph.node ?? []) {
    const node: Node = { ...original, input: (original.input ?? []).map((i) => (i === '' ? i : resolve(i))), output: [...(original.output ?? [])] };
    const inputs = node.input!.map((name) => (name === '' ? undefined : states.get(name)));
    const firstType = inputs[0]?.type ?? 0;
    const isConstant = inputs.every((s) => s === undefined || s.isConstant);
    const isWeight = isConstant && inputs.some((s) => s?.isWeight === true);

    if (node.opType === 'Cast') {
      const to = node.attribute?.find((a) => a.name === 'to')?.i;
      if (to === F32 && inputs[0]?.isWeight) {
        // The builder's Cast of a stored half weight: an fp16 weight needs none, bf16 becomes fp16.
        if (firstType === F16) {
          alias.set(node.output![0]!, node.input![0]!);
          continue;
        }
        node.attribute = [{ name: 'to', type: 2, i: F16 }];
        states.set(node.output![0]!, { type: F16, isConstant: true, isWeight: true });
        nodes.push(node);
        continue;
      }
      for (const out of node.output!) states.set(out, { type: to ?? 0, isConstant, isWeight });
      nodes.push(node);
      continue;
    }

    const floatInputs = inputs.map((s, index) => (s && isFloat(s.type) && !(UNTYPED_INPUTS[node.opType] ?? []).includes(index) ? index : -1)).filter((i) => i >= 0);
    const outputType = INT64_OUTPUT_OPS.has(node.opType) ? OnnxDataType.int64 : (inputs[OUTPUT_TYPE_INPUT[node.opType] ?? 0]?.type ?? 0);
    if (!isFloat(outputType) || floatInputs.length === 0) {
      for (const out of node.output!) states.set(out, { type: outputType, isConstant, isWeight });
      nodes.push(node);
      continue;
    }
    // Weights (and what is computed from them alone) are fp16; small literals and what is computed from them alone
    // stay fp32 (the sinusoid frequencies), cast where an fp16 op uses them. An activation stays fp32 while only
    // fp32 activations and literals made it (the timestep embedding's sinusoids), and turns fp16 at the first weight.
    const activations = floatInputs.filter((i) => !inputs[i]!.isConstant);
    const touchesWeight = floatInputs.some((i) => inputs[i]!.isWeight);
    const staysFp32 = isConstant ? !isWeight : !touchesWeight && activations.every((i) => inputs[i]!.type === F32);
    const isUpcast = fp32Ops.has(node.opType) && !staysFp32;
    const computeType = staysFp32 || isUpcast ? F32 : F16;
    for (const i of floatInputs) node.input![i] = as(node.input![i]!, computeType);
    if (isUpcast) {
      // Runs in fp32; its outputs go back to fp16 for the next op.
      const finals = node.output!;
      node.output = finals.map((out) => `${out}__f32`);
      nodes.push(node);
      finals.forEach((out, k) => {
        states.set(node.output![k]!, { type: F32, isConstant, isWeight });
        nodes.push({ opType: 'Cast', input: [node.output![k]!], output: [out], name: `fp16_compute/Cast_${castCount++}`, attribute: [{ name: 'to', type: 2, i: F16 }] });
        states.set(out, { type: F16, isConstant, isWeight });
      });
      continue;
    }
    for (const out of node.output!) states.set(out, { type: computeType, isConstant, isWeight });
    nodes.push(node);
  }

  // Outputs stay fp32: a last Cast under the output's own name when its value ended in fp16.
  for (const output of graph.output ?? []) {
    const produced = resolve(output.name);
    const state = states.get(produced);
    if (!state) throw new BugError(`graph output ${output.name} is produced by no node`);
    const declared = output.type?.tensorType?.elemType;
    if (declared !== F32 || state.type === F32) {
      if (produced !== output.name) nodes.push({ opType: 'Identity', input: [produced], output: [output.name], name: `fp16_compute/Identity_${output.name}` });
      continue;
    }
    const renamed = `${output.name}__f16`;
    for (const node of nodes) {
      node.output = node.output!.map((o) => (o === produced ? renamed : o));
      node.input = node.input!.map((i) => (i === produced ? renamed : i));
    }
    for (const [key, value] of casts) if (value === produced) casts.set(key, renamed);
    nodes.push({ opType: 'Cast', input: [renamed], output: [output.name], name: `fp16_compute/Cast_${castCount++}`, attribute: [{ name: 'to', type: 2, i: F32 }] });
  }

  graph.node = nodes;
  model.metadataProps = [...(model.metadataProps ?? []).filter((p) => p.key !== 'compute'), { key: 'compute', value: 'fp16' }];
  return encodeModel(model as unknown as Record<string, unknown>);
}
