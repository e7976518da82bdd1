// Writes a .safetensors file (8-byte header length, JSON header, little-endian data) from float32 arrays,
// stored as F32 or F16. Used only to write the self-test's tiny models.
import { writeFile } from 'node:fs/promises';
import { floatToHalf } from '../../engine/tensors/dtype.ts';

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export async function writeSafetensors(file: string, tensors: readonly TensorToWrite[], dtype: 'F32' | 'F16', metadata: Record<string, string> = {}): Promise<void> {
  const bytesPer = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const length = tensor.data.length * bytesPer;
    header[tensor.name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - ((8 + headerText.length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = Buffer.from(headerText, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const tensor of tensors) {
    if (dtype === 'F32') {
      Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).copy(out, at);
      at += tensor.data.byteLength;
    } else {
      for (const value of tensor.data) {
        out.writeUInt16LE(floatToHalf(value), at);
        at += 2;
      }
    }
  }
  await writeFile(file, out);
}
