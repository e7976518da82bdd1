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
  readonly byteLength: number;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function expectedByteLength(dtype: DType, shape: readonly number[]): number {
  return elementCount(shape) * DTYPE_BYTES[dtype];
}

/** Reads a tensor's raw bytes by range: only this tensor enters memory. */
export async function readTensorBytes(tensor: TensorDescriptor): Promise<Uint8Array> {
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
