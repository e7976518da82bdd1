// Encodes a small ONNX model (graph, float32 initializers, attributes) with protobufjs and the onnx.proto3
// field numbers (toolchain-facts §3). Just enough for the self-test's tiny face-model stand-ins and the
// execution-provider probe; the graph compiler has its own, fuller builder.
import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto3"; package onnx;
message AttributeProto { string name=1; int32 type=20; float f=2; int64 i=3; bytes s=4; repeated float floats=7; repeated int64 ints=8; }
message ValueInfoProto { string name=1; TypeProto type=2; }
message NodeProto { repeated string input=1; repeated string output=2; string name=3; string op_type=4; string domain=7; repeated AttributeProto attribute=5; }
message ModelProto { int64 ir_version=1; repeated OperatorSetIdProto opset_import=8; string producer_name=2; GraphProto graph=7; }
message GraphProto { repeated NodeProto node=1; string name=2; repeated TensorProto initializer=5; repeated ValueInfoProto input=11; repeated ValueInfoProto output=12; }
message TensorProto { repeated int64 dims=1; int32 data_type=2; string name=8; bytes raw_data=9; }
message TensorShapeProto { message Dimension { oneof value { int64 dim_value=1; string dim_param=2; } } repeated Dimension dim=1; }
message TypeProto { message Tensor { int32 elem_type=1; TensorShapeProto shape=2; } oneof value { Tensor tensor_type=1; } }
message OperatorSetIdProto { string domain=1; int64 version=2; }
`;

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_TYPES = { f: 1, i: 2, s: 3, floats: 6, ints: 7 } as const;

export type OnnxAttribute = { f: number } | { i: number } | { s: string } | { floats: readonly number[] } | { ints: readonly number[] };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  readonly name: string;
  /** Numbers are fixed sizes, strings are symbolic dimensions ("?", "None"). */
  readonly shape: ReadonlyArray<number | string>;
}

export interface OnnxGraph {
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly opset?: number;
}

let modelType: protobuf.Type | undefined;

function valueInfo(value: OnnxValue) {
  return {
    name: value.name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, value: OnnxAttribute) {
  const [key, content] = Object.entries(value)[0] as [keyof typeof ATTRIBUTE_TYPES, unknown];
  return { name, type: ATTRIBUTE_TYPES[key], [key]: key === 's' ? Buffer.from(content as string) : content };
}

export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  modelType ??= protobuf.parse(ONNX_PROTO).root.lookupType('onnx.ModelProto');
  const opset = graph.opset ?? 17;
  const message = modelType.fromObject({
    irVersion: opset >= 21 ? 10 : 8,
    producerName: 'faceid-studio selftest',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: graph.nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: graph.initializers.map((t) => ({
        name: t.name,
        dims: [...t.dims],
        dataType: t.data instanceof BigInt64Array ? INT64 : FLOAT,
        rawData: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return modelType.encode(message).finish();
}
