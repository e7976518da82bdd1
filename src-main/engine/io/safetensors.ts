// safetensors reader: validates the header and returns descriptors; tensor bytes are read later by range.
// Format: u64-LE header length, JSON header {name: {dtype, shape, data_offsets}, __metadata__?}, data blob.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { isDType } from '../tensors/dtype.ts';
import { expectedByteLength, type TensorDescriptor } from './descriptors.ts';

/** Real headers are at most a few MB (SDXL: ~250 kB); anything beyond this is not a safetensors file. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsIndex {
  readonly file: string;
  readonly sizeBytes: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorDescriptor>;
}

interface HeaderEntry {
  dtype: unknown;
  shape: unknown;
  data_offsets: unknown;
}

/** Reads and validates a safetensors header. Never reads tensor data. */
export async function readSafetensors(file: string): Promise<SafetensorsIndex> {
  const absolute = path.resolve(file);
  const name = path.basename(absolute);
  const sizeBytes = await fileSize(absolute);
  const handle = await open(absolute, 'r');
  try {
    if (sizeBytes < 8) throw badHeader(name, `it has only ${sizeBytes} bytes`);
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const headerLength = lengthBytes.readBigUInt64LE(0);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw badHeader(name, `its header claims ${headerLength} bytes, more than any real checkpoint has`);
    }
    if (Number(headerLength) + 8 > sizeBytes) {
      throw new StudioError('checkpoint.truncated', {
        userMessage: `${name} is incomplete: its header needs ${headerLength} bytes but the file has only ${sizeBytes}.`,
        hint: 'The download was probably interrupted. Download the file again.',
      });
    }
    const headerBytes = Buffer.alloc(Number(headerLength));
    await handle.read(headerBytes, 0, headerBytes.length, 8);
    const dataStart = 8 + headerBytes.length;
    return parseHeader(absolute, name, headerBytes, dataStart, sizeBytes);
  } finally {
    await handle.close();
  }
}

function parseHeader(file: string, name: string, headerBytes: Buffer, dataStart: number, sizeBytes: number): SafetensorsIndex {
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch (cause) {
    throw badHeader(name, `its header is not valid JSON (${(cause as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw badHeader(name, 'its header is not a JSON object');
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorDescriptor>();
  const ranges: Array<[number, number, string]> = [];
  for (const [tensorName, raw] of Object.entries(header as Record<string, unknown>)) {
    if (tensorName === '__metadata__') {
      if (typeof raw === 'object' && raw !== null) {
        for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') metadata[k] = v;
      }
      continue;
    }
    const descriptor = parseEntry(file, name, tensorName, raw as HeaderEntry, dataStart, sizeBytes);
    tensors.set(tensorName, descriptor);
    ranges.push([descriptor.offset, descriptor.offset + descriptor.byteLength, tensorName]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1]!;
    const current = ranges[i]!;
    if (current[0] < previous[1]) {
      throw badTensor(name, current[2], `its bytes overlap those of tensor "${previous[2]}"`);
    }
  }
  return { file, sizeBytes, metadata, tensors };
}

function parseEntry(file: string, name: string, tensorName: string, entry: HeaderEntry, dataStart: number, sizeBytes: number): TensorDescriptor {
  if (typeof entry !== 'object' || entry === null) throw badTensor(name, tensorName, 'its header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !isDType(dtype)) {
    throw badTensor(name, tensorName, `its type ${JSON.stringify(dtype)} is not one we know`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badTensor(name, tensorName, `its shape ${JSON.stringify(shape)} is not a list of sizes`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw badTensor(name, tensorName, `its data offsets ${JSON.stringify(offsets)} are not two byte positions`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw badTensor(name, tensorName, `its data ends (${end}) before it begins (${begin})`);
  if (dataStart + end > sizeBytes) {
    throw new StudioError('checkpoint.truncated', {
      userMessage: `${name} is incomplete: tensor "${tensorName}" should end at byte ${dataStart + end}, but the file has ${sizeBytes} bytes.`,
      hint: 'The download was probably interrupted. Download the file again.',
    });
  }
  const needed = expectedByteLength(dtype, shape);
  if (end - begin !== needed) {
    throw badTensor(name, tensorName, `its shape [${shape.join(', ')}] of ${dtype} needs ${needed} bytes but it has ${end - begin}`);
  }
  return { name: tensorName, dtype, shape, file, offset: dataStart + begin, byteLength: end - begin };
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (cause) {
    throw new StudioError('checkpoint.not-found', {
      userMessage: `${file} could not be opened.`,
      hint: 'Check that the file exists and that you may read it.',
      cause,
    });
  }
}

function badHeader(name: string, why: string): StudioError {
  return new StudioError('checkpoint.bad-header', {
    userMessage: `${name} is not a valid safetensors file: ${why}.`,
    hint: 'Check that the file is a model checkpoint and download it again if it is damaged.',
  });
}

function badTensor(name: string, tensorName: string, why: string): StudioError {
  return new StudioError('checkpoint.bad-tensor', {
    userMessage: `${name} is damaged: tensor "${tensorName}" is invalid because ${why}.`,
    hint: 'Download the file again; if it keeps failing, the file was written by a broken tool.',
  });
}
