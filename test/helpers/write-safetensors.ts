// Writes small safetensors files for tests: F32/F16 from numbers, or raw bytes copied from another file.
import { writeFile } from 'node:fs/promises';
import { floatToHalf } from '../../src-main/engine/tensors/dtype.ts';

export interface TestTensor {
  readonly dtype: 'F32' | 'F16';
  readonly shape: readonly number[];
  /** Values (converted to dtype), or the exact bytes. */
  readonly data: readonly number[] | Uint8Array;
}

export async function writeSafetensorsFile(file: string, tensors: Readonly<Record<string, TestTensor>>): Promise<void> {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes =
      t.data instanceof Uint8Array
        ? Buffer.from(t.data)
        : t.dtype === 'F32'
          ? Buffer.from(Float32Array.from(t.data).buffer)
          : Buffer.from(Uint16Array.from(t.data.map(floatToHalf)).buffer);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  await writeFile(file, Buffer.concat([length, json, ...parts]));
}
