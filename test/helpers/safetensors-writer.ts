// Writes small safetensors files for tests: from raw tensors, or as a copy of a fixture with renamed tensors.
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeSafetensors, type EncodedTensor } from '../../src-main/engine/io/safetensors-encode.ts';

export type RawTensor = EncodedTensor;

export function writeSafetensors(file: string, tensors: readonly RawTensor[]): void {
  writeFileSync(file, encodeSafetensors(tensors));
}

/** Copies a safetensors file with every tensor renamed (same bytes); `rename` returning undefined drops it. */
export function renameSafetensors(source: string, target: string, rename: (name: string) => string | undefined, extra: readonly RawTensor[] = []): void {
  const bytes = readFileSync(source);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const data = 8 + headerLength;
  const tensors: RawTensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const renamed = rename(name);
    if (renamed === undefined) continue;
    tensors.push({ name: renamed, dtype: entry.dtype, shape: entry.shape, data: bytes.subarray(data + entry.data_offsets[0], data + entry.data_offsets[1]) });
  }
  writeSafetensors(target, [...tensors, ...extra]);
}
