// Tensor descriptors: where a tensor's bytes live in a file, never the bytes themselves.
import { open } from 'node:fs/promises';
import { DTYPE_BYTES, bytesToFloat32, type DType } from '../tensors/dtype.ts';

/** One tensor of a checkpoint: name, type, shape and the byte range that holds it, little-endian, row-major. */
export interface TensorDescriptor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Absolute path of the file that holds the bytes. */
  readonly file: string;
  /** Absolute byte offset of the first element in `file`. */
  readonly offset: number;
  /** Bytes from `offset` that hold the tensor: numel × element size when contiguous, else the span of the view. */
  readonly byteLength: number;
  /**
   * Element strides of a non-row-major view (a transposed OpenCLIP projection, a strided PyTorch view).
   * Absent for contiguous row-major tensors, which are the only ones a graph may point external data at:
   * check `isContiguous` first; `readTensorBytes` always returns row-major bytes.
   */
  readonly strides?: readonly number[];
}

export type TensorFileFormat = 'safetensors' | 'pytorch-zip';

/** A checkpoint file's index: its tensors' descriptors (tensor-file.ts reads one from safetensors or PyTorch). */
export interface TensorFileIndex {
  readonly file: string;
  readonly format: TensorFileFormat;
  readonly sizeBytes: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Names as stored; nested PyTorch dicts are joined with '.' (`image_proj.proj.0.weight`). */
  readonly tensors: ReadonlyMap<string, TensorDescriptor>;
}

/** Row-major strides of `shape`, in elements. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/** True when the tensor's bytes are one row-major range: usable as onnxruntime external data as-is. */
export function isContiguous(tensor: TensorDescriptor): boolean {
  return tensor.strides === undefined;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function expectedByteLength(dtype: DType, shape: readonly number[]): number {
  return elementCount(shape) * DTYPE_BYTES[dtype];
}

/** Reads a tensor's raw bytes by range, row-major: only this tensor enters memory. */
export async function readTensorBytes(tensor: TensorDescriptor): Promise<Uint8Array> {
  const raw = await readRange(tensor);
  return tensor.strides === undefined ? raw : gatherRowMajor(raw, tensor.shape, tensor.strides, DTYPE_BYTES[tensor.dtype]);
}

/** Element views by size, so a gather moves whole elements (raw and out are fresh, hence aligned). */
const ELEMENT_ARRAYS = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array } as const;

/** Copies a strided view (`raw` starts at the view's first element) into row-major order. */
function gatherRowMajor(raw: Uint8Array, shape: readonly number[], strides: readonly number[], elementBytes: 1 | 2 | 4 | 8): Uint8Array {
  const count = elementCount(shape);
  const out = new Uint8Array(count * elementBytes);
  const Elements = ELEMENT_ARRAYS[elementBytes];
  const source = new Elements(raw.buffer as ArrayBuffer, raw.byteOffset, Math.floor(raw.byteLength / elementBytes));
  const target = new Elements(out.buffer);
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < count; i++) {
    target[i] = source[at]!;
    // Odometer over the shape: step the last axis, carry into earlier ones.
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const next = index[axis]! + 1;
      at += strides[axis]!;
      if (next < shape[axis]!) {
        index[axis] = next;
        break;
      }
      at -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

async function readRange(tensor: TensorDescriptor): Promise<Uint8Array> {
  const handle = await open(tensor.file, 'r');
  try {
    const bytes = new Uint8Array(tensor.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, tensor.offset + done);
      if (bytesRead === 0) throw new RangeError(`${tensor.file} ended inside tensor "${tensor.name}"`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Reads a tensor and converts it to float32 (fp16/bf16/ints widened). */
export async function readTensorFloat32(tensor: TensorDescriptor): Promise<Float32Array> {
  return bytesToFloat32(await readTensorBytes(tensor), tensor.dtype);
}
