// How much memory a graph's weights take once a session holds them, for the session pool's budget. Compiled graphs
// keep their weights in the user's checkpoint (external data), so the .onnx file's size says nothing: the
// initializers are read from the graph instead. Measured on a full-size fp16 SD1.5 UNet (1.7 GB stored): expanded
// (fast) sessions hold ≈ 4.5 GB — the fp32 copies plus the stored pages they were made from — compact ones ≈ 1.8 GB.
import { readFile, stat } from 'node:fs/promises';
import { decodeModel, OnnxDataType } from '../graph/onnx-proto.ts';

export interface WeightFootprint {
  /** Bytes of the weights as stored (what a compact session maps). */
  readonly storedBytes: number;
  /** Bytes an expanded (fast) session may hold: every weight as fp32 (or prepacked) beside the stored pages. */
  readonly expandedBytes: number;
}

/** Graph files above this size carry their weights inside (face models, CLIP vision): their size is the answer. */
const EMBEDDED_WEIGHTS_ABOVE = 64 * 2 ** 20;

interface TensorEntry {
  dataType?: number;
  dims?: number[];
  rawData?: number[];
  externalData?: { key: string; value: string }[];
}

/** Bytes of the tensor's data, and whether they lie outside the graph file. */
function dataOf(tensor: TensorEntry): { bytes: number; external: boolean } {
  const length = tensor.externalData?.find((e) => e.key === 'length')?.value;
  if (length !== undefined) return { bytes: Number(length), external: true };
  return { bytes: tensor.rawData?.length ?? 0, external: false };
}

const HALF_TYPES: ReadonlySet<number> = new Set([OnnxDataType.float16, OnnxDataType.bfloat16]);

export async function weightFootprint(modelPath: string): Promise<WeightFootprint> {
  const { size } = await stat(modelPath);
  if (size > EMBEDDED_WEIGHTS_ABOVE) return { storedBytes: size, expandedBytes: 2 * size };
  const model = decodeModel(await readFile(modelPath)) as { graph?: { initializer?: TensorEntry[] } };
  let storedBytes = size;
  let fp32Bytes = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const { bytes, external } = dataOf(tensor);
    if (external) storedBytes += bytes;
    fp32Bytes += HALF_TYPES.has(tensor.dataType ?? 0) ? 2 * bytes : bytes;
  }
  return { storedBytes, expandedBytes: storedBytes + fp32Bytes };
}
