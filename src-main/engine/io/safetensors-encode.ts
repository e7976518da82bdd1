// Encodes tensors as a .safetensors file: 8-byte little-endian header length, the JSON header (padded with spaces
// so the data starts 8-byte aligned), then each tensor's bytes in order. The self-test's tiny models and the
// tests' hand-made files are written with it; the studio itself never writes weights.

export interface EncodedTensor {
  readonly name: string;
  /** safetensors dtype name, e.g. F32, F16, BF16, I64. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The tensor's bytes, little-endian, in that dtype. */
  readonly data: Uint8Array;
}

/** `metadata`, when given, is written as the header's `__metadata__` entry. */
export function encodeSafetensors(tensors: readonly EncodedTensor[], metadata?: Readonly<Record<string, string>>): Buffer {
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - ((8 + Buffer.byteLength(headerText)) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  return Buffer.concat([length, headerBytes, ...tensors.map((tensor) => Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength))]);
}
