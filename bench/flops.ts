// FLOPs of one run of a compiled ONNX graph at given input shapes, counted from the graph itself: shapes are
// propagated node by node (small int tensors such as Shape → Gather → Concat are evaluated, so Reshape/Expand/
// Resize targets are known) and the matrix work is summed — MatMul, Gemm and Conv, 2 FLOPs per multiply-add,
// attention included (its q·kᵀ and ·v are MatMuls in unfused graphs, one MultiHeadAttention node in fused ones). Element-wise ops, norms and softmax are counted
// apart (one FLOP per output element): they are memory-bound and small next to the matrix work.
import { readFileSync } from 'node:fs';
import { decodeModel } from '../src-main/engine/graph/onnx-proto.ts';

export interface FlopCount {
  /** 2·multiply-adds of MatMul/Gemm/Conv. */
  readonly matrixFlops: number;
  /** One per output element of every other compute op (rough; not included in matrixFlops). */
  readonly elementwiseFlops: number;
  /** matrixFlops by op type (MatMul, Conv, Gemm, MultiHeadAttention). */
  readonly byOp: Readonly<Record<string, number>>;
  /** The largest intermediate tensor, in float32 elements (for working-set estimates). */
  readonly largestTensorElements: number;
  readonly nodes: number;
}

interface Tensor {
  readonly shape: number[];
  /** Values, when small and computable (shape arithmetic). */
  readonly data?: number[];
}

interface DecodedNode {
  opType: string;
  input?: string[];
  output?: string[];
  attribute?: { name: string; i?: number; f?: number; ints?: number[]; type?: number }[];
}

interface DecodedTensor {
  name: string;
  dims?: number[];
  dataType?: number;
  rawData?: number[];
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const SMALL = 64;

function attr(node: DecodedNode, name: string): { i?: number; f?: number; ints?: number[] } | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function attrInt(node: DecodedNode, name: string, fallback: number): number {
  return Number(attr(node, name)?.i ?? fallback);
}

function attrInts(node: DecodedNode, name: string): number[] | undefined {
  return attr(node, name)?.ints?.map(Number);
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Values of a raw initializer when it is a small int64/float tensor (shape constants). */
function initializerData(t: DecodedTensor): number[] | undefined {
  if (!t.rawData || t.rawData.length > SMALL * 8) return undefined;
  const bytes = Uint8Array.from(t.rawData);
  if (t.dataType === 7) return [...new BigInt64Array(bytes.buffer)].map(Number);
  if (t.dataType === 1) return [...new Float32Array(bytes.buffer)];
  return undefined;
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

const ELEMENTWISE_BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => Math.trunc(a / b),
  Pow: (a, b) => a ** b,
};
const SAME_SHAPE = new Set(['Identity', 'Cast', 'Sigmoid', 'Softmax', 'Gelu', 'Sin', 'Cos', 'Exp', 'Clip', 'Erf', 'Sqrt', 'Neg', 'Relu', 'Tanh', 'GroupNormalization', 'LayerNormalization', 'InstanceNormalization', 'Log', 'Abs']);
const FREE = new Set(['Identity', 'Cast', 'Reshape', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Transpose', 'Expand', 'Flatten']);

/** Counts FLOPs of `modelFile` (an .onnx written by the graph compiler) for these input shapes. */
export function countGraphFlops(modelFile: string | Uint8Array, inputShapes: Readonly<Record<string, readonly number[]>>): FlopCount {
  const model = decodeModel(typeof modelFile === 'string' ? readFileSync(modelFile) : modelFile) as { graph?: { node?: DecodedNode[]; initializer?: DecodedTensor[]; input?: { name: string }[] } };
  const graph = model.graph ?? {};
  const values = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) {
    const data = initializerData(t);
    values.set(t.name, { shape: (t.dims ?? []).map(Number), ...(data ? { data } : {}) });
  }
  for (const input of graph.input ?? []) {
    if (values.has(input.name)) continue;
    const shape = inputShapes[input.name];
    if (!shape) throw new Error(`no shape given for graph input ${input.name}`);
    values.set(input.name, { shape: [...shape] });
  }

  const byOp: Record<string, number> = {};
  let elementwiseFlops = 0;
  let largest = 0;
  const nodes = graph.node ?? [];
  for (const node of nodes) {
    const inputs = (node.input ?? []).map((name) => {
      if (name === '') return undefined;
      const value = values.get(name);
      if (!value) throw new Error(`${node.opType} reads ${name}, which nothing produced before it`);
      return value;
    });
    const { outputs, flops } = inferNode(node, inputs);
    if (flops > 0) byOp[node.opType] = (byOp[node.opType] ?? 0) + flops;
    (node.output ?? []).forEach((name, i) => {
      const out = outputs[i] ?? outputs[0]!;
      values.set(name, out);
      largest = Math.max(largest, numel(out.shape));
      if (i === 0 && flops === 0 && !FREE.has(node.opType)) elementwiseFlops += numel(out.shape);
    });
  }
  const matrixFlops = Object.values(byOp).reduce((a, b) => a + b, 0);
  return { matrixFlops, elementwiseFlops, byOp, largestTensorElements: largest, nodes: nodes.length };
}

function inferNode(node: DecodedNode, inputs: (Tensor | undefined)[]): { outputs: Tensor[]; flops: number } {
  const x = inputs[0];
  const need = (t: Tensor | undefined, what: string): Tensor => {
    if (!t) throw new Error(`${node.opType} has no ${what}`);
    return t;
  };
  const needData = (t: Tensor | undefined, what: string): number[] => {
    const data = need(t, what).data;
    if (!data) throw new Error(`${node.opType}'s ${what} is not a constant the counter can evaluate`);
    return data;
  };
  const op = node.opType;
  if (op in ELEMENTWISE_BINARY) {
    const a = need(x, 'first input');
    const b = need(inputs[1], 'second input');
    const shape = broadcast(a.shape, b.shape);
    const f = ELEMENTWISE_BINARY[op]!;
    const data = a.data && b.data && numel(shape) <= SMALL ? Array.from({ length: numel(shape) }, (_, i) => f(a.data![a.data!.length === 1 ? 0 : i]!, b.data![b.data!.length === 1 ? 0 : i]!)) : undefined;
    return { outputs: [{ shape, ...(data ? { data } : {}) }], flops: 0 };
  }
  if (SAME_SHAPE.has(op)) {
    const a = need(x, 'input');
    return { outputs: [{ shape: [...a.shape], ...(a.data && (op === 'Identity' || op === 'Cast') ? { data: a.data } : {}) }], flops: 0 };
  }
  switch (op) {
    case 'MatMul': {
      const a = need(x, 'A').shape;
      const b = need(inputs[1], 'B').shape;
      if (a.length < 2 || b.length < 2) throw new Error('MatMul with a 1-D operand is not counted');
      const [m, k] = a.slice(-2) as [number, number];
      const [k2, n] = b.slice(-2) as [number, number];
      if (k !== k2) throw new Error(`MatMul inner sizes differ: ${k} vs ${k2}`);
      const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
      return { outputs: [{ shape: [...batch, m, n] }], flops: 2 * numel(batch) * m * k * n };
    }
    case 'Gemm': {
      const a = need(x, 'A').shape;
      const b = need(inputs[1], 'B').shape;
      const [m, k] = attrInt(node, 'transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
      const n = attrInt(node, 'transB', 0) ? b[0]! : b[1]!;
      return { outputs: [{ shape: [m, n] }], flops: 2 * m * k * n };
    }
    case 'Conv': {
      const [batch, , ...spatial] = need(x, 'X').shape as [number, number, ...number[]];
      const [outChannels, perGroup, ...kernel] = need(inputs[1], 'W').shape as [number, number, ...number[]];
      const pads = attrInts(node, 'pads') ?? spatial.flatMap(() => [0, 0]);
      const strides = attrInts(node, 'strides') ?? spatial.map(() => 1);
      const dilations = attrInts(node, 'dilations') ?? spatial.map(() => 1);
      const out = spatial.map((size, i) => Math.floor((size + pads[i]! + pads[i + spatial.length]! - dilations[i]! * (kernel[i]! - 1) - 1) / strides[i]!) + 1);
      return { outputs: [{ shape: [batch, outChannels, ...out] }], flops: 2 * batch * outChannels * numel(out) * perGroup * numel(kernel) };
    }
    case 'MultiHeadAttention': {
      // onnxruntime's fused attention on [B, N, H·dh] projections: q·kᵀ and ·v, as the unfused graph's two MatMuls.
      const [batch, queries, width] = need(x, 'query').shape as [number, number, number];
      const [, keys] = need(inputs[1], 'key').shape as [number, number, number];
      const valueWidth = need(inputs[2], 'value').shape[2]!;
      return { outputs: [{ shape: [batch, queries, valueWidth] }], flops: 2 * batch * queries * keys * (width + valueWidth) };
    }
    case 'Transpose': {
      const a = need(x, 'input').shape;
      const perm = attrInts(node, 'perm') ?? a.map((_, i) => a.length - 1 - i);
      return { outputs: [{ shape: perm.map((p) => a[p]!) }], flops: 0 };
    }
    case 'Reshape': {
      const a = need(x, 'data');
      const target = needData(inputs[1], 'shape');
      const allowZero = attrInt(node, 'allowzero', 0) === 1;
      const shape = target.map((d, i) => (d === 0 && !allowZero ? a.shape[i]! : d));
      const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return { outputs: [{ shape: shape.map((d) => (d === -1 ? numel(a.shape) / known : d)), ...(a.data ? { data: a.data } : {}) }], flops: 0 };
    }
    case 'Flatten': {
      const a = need(x, 'input').shape;
      const axis = normAxis(attrInt(node, 'axis', 1), a.length);
      return { outputs: [{ shape: [numel(a.slice(0, axis)), numel(a.slice(axis))] }], flops: 0 };
    }
    case 'Shape': {
      const a = need(x, 'input').shape;
      const start = normAxis(attrInt(node, 'start', 0), a.length);
      const endAttr = attr(node, 'end');
      const end = endAttr ? normAxis(Number(endAttr.i ?? a.length), a.length) : a.length;
      const data = a.slice(start, end);
      return { outputs: [{ shape: [data.length], data }], flops: 0 };
    }
    case 'Gather': {
      const a = need(x, 'data');
      const indices = need(inputs[1], 'indices');
      const axis = normAxis(attrInt(node, 'axis', 0), a.shape.length);
      const shape = [...a.shape.slice(0, axis), ...indices.shape, ...a.shape.slice(axis + 1)];
      const data = a.data && indices.data && a.shape.length === 1 ? indices.data.map((i) => a.data![i < 0 ? i + a.data!.length : i]!) : undefined;
      return { outputs: [{ shape, ...(data ? { data } : {}) }], flops: 0 };
    }
    case 'Unsqueeze': {
      const a = need(x, 'input');
      const axes = needData(inputs[1], 'axes');
      const rank = a.shape.length + axes.length;
      const set = new Set(axes.map((ax) => normAxis(ax, rank)));
      const rest = [...a.shape];
      const shape = Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : rest.shift()!));
      return { outputs: [{ shape, ...(a.data ? { data: a.data } : {}) }], flops: 0 };
    }
    case 'Squeeze': {
      const a = need(x, 'input');
      const axes = inputs[1] ? new Set(needData(inputs[1], 'axes').map((ax) => normAxis(ax, a.shape.length))) : undefined;
      const shape = a.shape.filter((d, i) => (axes ? !axes.has(i) : d !== 1));
      return { outputs: [{ shape, ...(a.data ? { data: a.data } : {}) }], flops: 0 };
    }
    case 'Concat': {
      const parts = inputs.map((t, i) => need(t, `input ${i}`));
      const axis = normAxis(attrInt(node, 'axis', 0), parts[0]!.shape.length);
      const shape = [...parts[0]!.shape];
      shape[axis] = parts.reduce((sum, t) => sum + t.shape[axis]!, 0);
      const data = shape.length === 1 && parts.every((t) => t.data) ? parts.flatMap((t) => t.data!) : undefined;
      return { outputs: [{ shape, ...(data ? { data } : {}) }], flops: 0 };
    }
    case 'Slice': {
      const a = need(x, 'data');
      const starts = needData(inputs[1], 'starts');
      const ends = needData(inputs[2], 'ends');
      const axes = inputs[3] ? needData(inputs[3], 'axes') : starts.map((_, i) => i);
      const steps = inputs[4] ? needData(inputs[4], 'steps') : starts.map(() => 1);
      const shape = [...a.shape];
      const ranges = new Map<number, [number, number, number]>();
      axes.forEach((axisRaw, i) => {
        const axis = normAxis(axisRaw, a.shape.length);
        const size = a.shape[axis]!;
        const step = steps[i]!;
        const clamp = (v: number) => (v < 0 ? Math.max(v + size, step > 0 ? 0 : -1) : Math.min(v, step > 0 ? size : size - 1));
        const start = clamp(starts[i]!);
        const end = clamp(ends[i]!);
        shape[axis] = Math.max(0, Math.ceil((end - start) / step));
        ranges.set(axis, [start, end, step]);
      });
      let data: number[] | undefined;
      if (a.data && a.shape.length === 1) {
        const [start, , step] = ranges.get(0) ?? [0, a.shape[0]!, 1];
        data = Array.from({ length: shape[0]! }, (_, i) => a.data![start + i * step]!);
      }
      return { outputs: [{ shape, ...(data ? { data } : {}) }], flops: 0 };
    }
    case 'Expand': {
      const a = need(x, 'input');
      return { outputs: [{ shape: broadcast(a.shape, needData(inputs[1], 'shape')) }], flops: 0 };
    }
    case 'Resize': {
      const a = need(x, 'X').shape;
      const sizes = inputs[3]?.data;
      if (sizes) return { outputs: [{ shape: [...sizes] }], flops: 0 };
      const scales = needData(inputs[2], 'scales');
      return { outputs: [{ shape: a.map((d, i) => Math.floor(d * scales[i]!)) }], flops: 0 };
    }
    case 'Pad': {
      const a = need(x, 'data').shape;
      const pads = needData(inputs[1], 'pads');
      const axes = inputs[3] ? needData(inputs[3], 'axes').map((ax) => normAxis(ax, a.length)) : a.map((_, i) => i);
      const shape = [...a];
      axes.forEach((axis, i) => (shape[axis] = shape[axis]! + pads[i]! + pads[i + axes.length]!));
      return { outputs: [{ shape }], flops: 0 };
    }
    case 'Split': {
      const a = need(x, 'input').shape;
      const axis = normAxis(attrInt(node, 'axis', 0), a.length);
      const count = (node.output ?? []).length;
      const sizes = inputs[1] ? needData(inputs[1], 'split') : Array.from({ length: count }, (_, i) => Math.ceil(a[axis]! / count) - (i === count - 1 ? Math.ceil(a[axis]! / count) * count - a[axis]! : 0));
      return { outputs: sizes.map((size) => ({ shape: a.map((d, i) => (i === axis ? size : d)) })), flops: 0 };
    }
    case 'Where': {
      const shape = broadcast(broadcast(need(x, 'condition').shape, need(inputs[1], 'first choice').shape), need(inputs[2], 'second choice').shape);
      return { outputs: [{ shape }], flops: 0 };
    }
    case 'ReduceMean':
    case 'ReduceSum': {
      const a = need(x, 'data').shape;
      const axes = inputs[1] ? needData(inputs[1], 'axes').map((ax) => normAxis(ax, a.length)) : a.map((_, i) => i);
      const keep = attrInt(node, 'keepdims', 1) === 1;
      const shape = keep ? a.map((d, i) => (axes.includes(i) ? 1 : d)) : a.filter((_, i) => !axes.includes(i));
      return { outputs: [{ shape }], flops: 0 };
    }
    default:
      throw new Error(`the FLOP counter does not know ONNX op ${op}; add its shape rule to bench/flops.ts`);
  }
}
