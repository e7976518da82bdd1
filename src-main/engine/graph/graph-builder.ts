// ONNX graph builder: a small typed API over onnx-proto.ts so a model file reads like the module it mirrors.
//
// Usage (see layers.ts for linear/conv2d/groupNorm/layerNorm/attention built on it):
//   const g = new GraphBuilder('text_encoder');
//   const ids = g.input('input_ids', 'int64', ['batch', 77]);          // string dims are symbolic (dynamic)
//   const w = g.weight(descriptor);                                     // external initializer, float32 value
//   const y = g.op('MatMul', [x, g.op('Transpose', [w], { perm: [1, 0] })]);
//   g.output(y, 'last_hidden_state', 'float', ['batch', 77, 64]);
//   const bytes = g.toModel({ locationOf: (file) => 'weights.safetensors', metadata: { … } });
//
// Values are tensor names (strings). Weights never enter memory: `weight(d)` records an initializer whose bytes stay
// in d.file at d.offset (ONNX external data); the file's location relative to the model is chosen at `toModel` time
// (external-data.ts decides the layout). Non-float32 weights (fp16, bf16) stay as stored and get a Cast to float32
// in the graph, which onnxruntime folds at session creation (or, in compact sessions, runs beside its layer).
import type { TensorDescriptor } from '../io/descriptors.ts';
import type { DType } from '../tensors/dtype.ts';
import path from 'node:path';
import { BugError, StudioError } from '../../base/errors.ts';
import { encodeModel, IR_VERSION, OnnxAttributeType, OnnxDataType, OPSET_VERSION, type OnnxElementType } from './onnx-proto.ts';

/** A tensor in the graph, by name. */
export type Value = string;
/** A dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

/** Marks a float attribute whose value happens to be an integer (e.g. alpha 1.0). */
export interface FloatAttribute { readonly float: number }
export interface FloatsAttribute { readonly floats: readonly number[] }
/** A Conv node's stride and padding, the same on both axes (layers.ts's Conv2d and the LoRA convs beside it). */
export interface Conv2dOptions {
  readonly stride?: number;
  readonly padding?: number;
}

export type AttributeValue = number | string | readonly number[] | FloatAttribute | FloatsAttribute;

export const float = (value: number): FloatAttribute => ({ float: value });

const ONNX_TYPE_OF_DTYPE: Partial<Record<DType, OnnxElementType>> = {
  F32: 'float',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'double',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

interface ExternalInitializer {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

interface RawInitializer {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly bytes: Uint8Array;
}

interface ValueInfo {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly Dim[];
}

const CONTRIB_DOMAIN = 'com.microsoft';

interface NodeRecord {
  readonly opType: string;
  /** '' for standard ONNX ops; 'com.microsoft' for onnxruntime's contrib ops (fused attention). */
  readonly domain?: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * The nodes with the ones that read only initializers (weight Casts and transposes) moved first, the rest in order.
 * onnxruntime runs nodes in the order of a reverse depth-first walk from the outputs that enters a node's
 * highest-indexed producer first: a weight Cast listed just before its layer ran as soon as the walk reached that
 * layer, for the up blocks before the down blocks had run, so a compact 512² UNet step held ≈ 0.8 GB of cast weights
 * at once. Listed first, each runs right before its layer (≈ 0.2 GB alive at most). Expanded sessions fold them anyway.
 */
export function initializerNodesFirst<T extends { readonly inputs: readonly Value[]; readonly outputs: readonly Value[] }>(nodes: readonly T[], initializers: ReadonlySet<Value>): T[] {
  const constant = new Set(initializers);
  const first: T[] = [];
  const rest: T[] = [];
  for (const node of nodes) {
    if (node.inputs.every((input) => input === '' || constant.has(input))) {
      first.push(node);
      for (const output of node.outputs) constant.add(output);
    } else rest.push(node);
  }
  return [...first, ...rest];
}

export interface ToModelOptions {
  /**
   * Where each external weight's bytes are, relative to the model file: by default the same offset in the file
   * `locationOf(file)` names; `placeOf` can move single tensors (e.g. into a packed copy).
   */
  readonly locationOf: (file: string) => string;
  readonly placeOf?: (file: string, offset: number, length: number) => { location: string; offset: number };
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
}

export class GraphBuilder {
  readonly name: string;
  private readonly nodes: NodeRecord[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly external = new Map<string, ExternalInitializer>();
  private readonly raw = new Map<string, RawInitializer>();
  private readonly weightValues = new Map<string, Value>();
  private readonly constants = new Map<string, Value>();
  private readonly scopes: string[] = [];
  private counter = 0;

  /** Attention as onnxruntime's fused MultiHeadAttention (layers.ts attention): no [heads, tokens, tokens] score
   *  matrix in memory. Measured on one 512² UNet self-attention (2 × 4096 tokens, 320 wide, 8 heads, 2 CPU threads):
   *  607 ms and 224 MB peak RSS fused against 810 ms and 2368 MB as MatMul → Softmax → MatMul, same values to 1e-7. */
  readonly fusedAttention: boolean;

  constructor(name: string, options: { readonly fusedAttention?: boolean } = {}) {
    this.name = name;
    this.fusedAttention = options.fusedAttention ?? false;
  }

  /** Runs `build` with node names prefixed by `name` (reads like the module path in PyTorch). */
  scope<T>(name: string, build: () => T): T {
    this.scopes.push(name);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  private fresh(hint: string): string {
    const prefix = this.scopes.length > 0 ? `${this.scopes.join('.')}/` : '';
    return `${prefix}${hint}_${this.counter++}`;
  }

  input(name: string, type: OnnxElementType, dims: readonly Dim[]): Value {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` as a graph output called `name` (an Identity renames it when needed). */
  output(value: Value, name: string, type: OnnxElementType, dims: readonly Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: this.fresh('Identity'), attributes: {} });
    this.outputs.push({ name, type, dims });
  }

  /** Adds one node with a single output and returns that output. */
  op(opType: string, inputs: readonly Value[], attributes: Readonly<Record<string, AttributeValue>> = {}): Value {
    const [output] = this.opMulti(opType, inputs, 1, attributes);
    return output!;
  }

  /** One node of onnxruntime's contrib domain (com.microsoft, opset 1), e.g. its fused MultiHeadAttention. */
  contribOp(opType: string, inputs: readonly Value[], attributes: Readonly<Record<string, AttributeValue>> = {}): Value {
    const name = this.fresh(opType);
    this.nodes.push({ opType, domain: CONTRIB_DOMAIN, inputs, outputs: [name], name, attributes });
    return name;
  }

  /** Adds one node with `count` outputs. */
  opMulti(opType: string, inputs: readonly Value[], count: number, attributes: Readonly<Record<string, AttributeValue>> = {}): Value[] {
    const name = this.fresh(opType);
    const outputs = Array.from({ length: count }, (_, i) => (count === 1 ? name : `${name}:${i}`));
    this.nodes.push({ opType, inputs, outputs, name, attributes });
    return outputs;
  }

  /**
   * A weight from a checkpoint as a float32 value: an external initializer named after the tensor (bytes stay in
   * its file), cast to float32 in the graph when stored otherwise. The same descriptor always gives the same value.
   * `shape` overrides the stored shape (same element count), e.g. a [C,C] 1×1 conv stored as [C,C,1,1].
   */
  weight(descriptor: TensorDescriptor, shape?: readonly number[]): Value {
    const reshaped = shape !== undefined && shape.join(',') !== descriptor.shape.join(',');
    const dims = reshaped ? shape : descriptor.shape;
    const key = `${descriptor.name}|${dims.join(',')}`;
    const known = this.weightValues.get(key);
    if (known) return known;
    if (descriptor.strides !== undefined) return this.transposedWeight(descriptor, key);
    const type = ONNX_TYPE_OF_DTYPE[descriptor.dtype];
    if (!type) throw new BugError(`weight ${descriptor.name} has dtype ${descriptor.dtype}, which has no ONNX type`);
    const name = reshaped ? `${descriptor.name}#${dims.join('x')}` : descriptor.name;
    if (this.external.has(name)) throw new BugError(`two weights named ${name}`);
    this.external.set(name, { name, type, dims, file: descriptor.file, offset: descriptor.offset, length: descriptor.byteLength });
    const value = type === 'float' ? name : this.op('Cast', [name], { to: OnnxDataType.float });
    this.weightValues.set(key, value);
    return value;
  }

  /** A 2-D weight stored transposed (strides [1, rows]): the stored matrix plus a Transpose (folded by onnxruntime). */
  private transposedWeight(descriptor: TensorDescriptor, key: string): Value {
    const [rows, columns] = descriptor.shape as [number, number];
    const strides = descriptor.strides!;
    if (descriptor.shape.length !== 2 || strides[0] !== 1 || strides[1] !== rows) {
      throw new StudioError('checkpoint.bad-tensor', {
        userMessage: `Tensor "${descriptor.name}" in ${path.basename(descriptor.file)} is a strided view (strides ${strides.join(', ')}) that a compiled graph cannot read in place.`,
        hint: 'Save the checkpoint again as .safetensors (for example with a checkpoint converter) and compile that file.',
      });
    }
    const stored = this.weight({ name: descriptor.name, dtype: descriptor.dtype, shape: [columns, rows], file: descriptor.file, offset: descriptor.offset, byteLength: descriptor.byteLength });
    const value = this.op('Transpose', [stored], { perm: [1, 0] });
    this.weightValues.set(key, value);
    return value;
  }

  /** A float32 constant (scalar when `dims` is []), deduplicated by value. */
  constFloat(values: number | readonly number[], dims?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    return this.constant('float', new Uint8Array(Float32Array.from(list).buffer), dims ?? (typeof values === 'number' ? [] : [list.length]), list.join(','));
  }

  /** An int64 constant (scalar when `dims` is []), deduplicated by value. */
  constInt64(values: number | readonly number[], dims?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    const bytes = new Uint8Array(BigInt64Array.from(list.map((v) => BigInt(v))).buffer);
    return this.constant('int64', bytes, dims ?? (typeof values === 'number' ? [] : [list.length]), list.join(','));
  }

  private constant(type: OnnxElementType, bytes: Uint8Array, dims: readonly number[], text: string): Value {
    const key = `${type}[${dims.join(',')}]:${text}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_${type}_${this.constants.size}`;
    this.raw.set(name, { name, type, dims, bytes });
    this.constants.set(key, name);
    return name;
  }

  /** Source files that external initializers point into. */
  externalFiles(): string[] {
    return [...new Set([...this.external.values()].map((w) => w.file))];
  }

  /** The byte ranges each external initializer reads, in first-use order. */
  externalRanges(): { file: string; offset: number; length: number }[] {
    return [...this.external.values()].map(({ file, offset, length }) => ({ file, offset, length }));
  }

  inputNames(): string[] {
    return this.inputs.map((i) => i.name);
  }

  outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  /** Number of nodes (for summaries and tests). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  toModel(options: ToModelOptions): Uint8Array {
    const valueInfo = (info: ValueInfo) => ({
      name: info.name,
      type: {
        tensorType: {
          elemType: OnnxDataType[info.type],
          shape: { dim: info.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
    const locations = new Map<string, string>();
    for (const file of this.externalFiles()) locations.set(file, options.locationOf(file));
    const place = options.placeOf ?? ((file: string, offset: number) => ({ location: locations.get(file)!, offset }));
    const initializer = [
      ...[...this.raw.values()].map((t) => ({ name: t.name, dataType: OnnxDataType[t.type], dims: [...t.dims], rawData: t.bytes })),
      ...[...this.external.values()].map((t) => {
        const placed = place(t.file, t.offset, t.length);
        return {
          name: t.name,
          dataType: OnnxDataType[t.type],
          dims: [...t.dims],
          dataLocation: 1,
          externalData: [
            { key: 'location', value: placed.location },
            { key: 'offset', value: String(placed.offset) },
            { key: 'length', value: String(t.length) },
          ],
        };
      }),
    ];
    return encodeModel({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }, ...(this.nodes.some((n) => n.domain === CONTRIB_DOMAIN) ? [{ domain: CONTRIB_DOMAIN, version: 1 }] : [])],
      producerName: 'faceid-studio',
      producerVersion: options.producerVersion ?? '',
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: initializerNodesFirst(this.nodes, new Set([...this.raw.keys(), ...this.external.keys()])).map((n) => ({
          opType: n.opType,
          ...(n.domain ? { domain: n.domain } : {}),
          input: [...n.inputs],
          output: [...n.outputs],
          name: n.name,
          attribute: Object.entries(n.attributes).map(([name, value]) => encodeAttribute(name, value)),
        })),
        initializer,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
  }
}

function encodeAttribute(name: string, value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: OnnxAttributeType.INT, i: value } : { name, type: OnnxAttributeType.FLOAT, f: value };
  }
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: [...(value as readonly number[])] };
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: OnnxAttributeType.FLOATS, floats: [...value.floats] };
  throw new BugError(`attribute ${name} has an unsupported value`);
}
