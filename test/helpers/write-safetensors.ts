// Writes small safetensors files for tests: F32/F16 from numbers, or raw bytes copied from another file.
import { writeFile } from 'node:fs/promises';
import { encodeSafetensors } from '../../src-main/engine/io/safetensors-encode.ts';
import { floatToHalf } from '../../src-main/engine/tensors/dtype.ts';

export interface TestTensor {
  readonly dtype: 'F32' | 'F16';
  readonly shape: readonly number[];
  /** Values (converted to dtype), or the exact bytes. */
  readonly data: readonly number[] | Uint8Array;
}

export async function writeSafetensorsFile(file: string, tensors: Readonly<Record<string, TestTensor>>): Promise<void> {
  const encoded = Object.entries(tensors).map(([name, t]) => ({
    name,
    dtype: t.dtype,
    shape: t.shape,
    data:
      t.data instanceof Uint8Array
        ? t.data
        : t.dtype === 'F32'
          ? new Uint8Array(Float32Array.from(t.data).buffer)
          : new Uint8Array(Uint16Array.from(t.data.map(floatToHalf)).buffer),
  }));
  await writeFile(file, encodeSafetensors(encoded));
}
