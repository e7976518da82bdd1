// Writes the self-test's tiny models: float32 arrays stored as F32 or F16.
import { writeFile } from 'node:fs/promises';
import { encodeSafetensors } from '../../engine/io/safetensors-encode.ts';
import { floatToHalf } from '../../engine/tensors/dtype.ts';

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export async function writeSafetensors(file: string, tensors: readonly TensorToWrite[], dtype: 'F32' | 'F16', metadata: Record<string, string> = {}): Promise<void> {
  const encoded = tensors.map((tensor) => ({
    name: tensor.name,
    dtype,
    shape: tensor.shape,
    data: dtype === 'F32' ? new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength) : new Uint8Array(Uint16Array.from(tensor.data, floatToHalf).buffer),
  }));
  await writeFile(file, encodeSafetensors(encoded, metadata));
}
