// Just enough of the zip format to index an archive: the central directory (zip64 too) and each entry's byte range,
// every range checked against the file size. torch.save archives (stored entries, used as plain file ranges) and
// the model manager's downloaded archives (buffalo_l.zip, whose deflated members it extracts) are read with it.
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../../base/errors.ts';

export interface ZipEntry {
  readonly name: string;
  /** Absolute offset of the entry's data in the file. */
  readonly offset: number;
  /** Uncompressed size. */
  readonly size: number;
  /** Size of the entry's data in the file (= size when stored). */
  readonly packedSize: number;
  /** 0 = stored; anything else is compressed and cannot be used as a range. */
  readonly method: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD64_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** A central directory bigger than this is not a model archive (SDXL's has a few thousand entries, < 1 MB). */
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

/**
 * Lists a zip file's entries with absolute data ranges, validating every range against the file size.
 * `fail` makes the error for a damaged archive (`what` is the file's base name); by default a PyTorch archive's.
 */
export async function readZipEntries(file: string, sizeBytes: number, fail: (what: string, why: string) => StudioError = badZip): Promise<Map<string, ZipEntry>> {
  const what = path.basename(file);
  const handle = await open(file, 'r');
  try {
    const tailLength = Math.min(sizeBytes, 22 + 0xffff);
    const tail = await readAt(handle, sizeBytes - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw fail(what, 'it has no zip directory at its end (the file is cut short or is not a zip)');
    let entryCount = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    const locatorAt = eocd - 20;
    if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === EOCD64_LOCATOR_SIGNATURE) {
      const eocd64Offset = safeNumber(tail.readBigUInt64LE(locatorAt + 8), what, 'zip64 directory offset', fail);
      if (eocd64Offset + 56 > sizeBytes) throw fail(what, 'its zip64 directory lies past the end of the file');
      const eocd64 = await readAt(handle, eocd64Offset, 56);
      if (eocd64.readUInt32LE(0) !== EOCD64_SIGNATURE) throw fail(what, 'its zip64 directory record is damaged');
      entryCount = safeNumber(eocd64.readBigUInt64LE(32), what, 'entry count', fail);
      directorySize = safeNumber(eocd64.readBigUInt64LE(40), what, 'directory size', fail);
      directoryOffset = safeNumber(eocd64.readBigUInt64LE(48), what, 'directory offset', fail);
    }
    if (directorySize > MAX_CENTRAL_DIRECTORY || directoryOffset + directorySize > sizeBytes) {
      throw fail(what, `its zip directory claims ${directorySize} bytes at offset ${directoryOffset}, beyond the file's ${sizeBytes} bytes`);
    }
    const directory = await readAt(handle, directoryOffset, directorySize);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    for (let n = 0; n < entryCount; n++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw fail(what, 'its zip directory is damaged');
      const method = directory.readUInt16LE(at + 10);
      let compressedSize: number = directory.readUInt32LE(at + 20);
      let size: number = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      let localOffset: number = directory.readUInt32LE(at + 42);
      if (at + 46 + nameLength + extraLength > directory.length) throw fail(what, 'its zip directory is damaged');
      const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
      // Zip64: the real values of fields set to 0xFFFFFFFF follow in extra field 0x0001, in this order.
      const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
        const zip64 = zip64Values(extra, what, fail);
        let k = 0;
        if (size === 0xffffffff) size = zip64[k++] ?? Number.NaN;
        if (compressedSize === 0xffffffff) compressedSize = zip64[k++] ?? Number.NaN;
        if (localOffset === 0xffffffff) localOffset = zip64[k++] ?? Number.NaN;
        if (![size, compressedSize, localOffset].every(Number.isSafeInteger)) throw fail(what, `entry ${name} has a damaged zip64 record`);
      }
      at += 46 + nameLength + extraLength + commentLength;
      if (localOffset + 30 > sizeBytes) throw fail(what, `entry ${name} starts past the end of the file`);
      const local = await readAt(handle, localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw fail(what, `entry ${name} has no local header where the directory says`);
      const offset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (method === 0 && compressedSize !== size) throw fail(what, `entry ${name} is stored but declares ${size} bytes unpacked and ${compressedSize} packed`);
      if (offset + compressedSize > sizeBytes) {
        throw fail(what, `entry ${name} declares ${size} bytes, more than the file holds (${sizeBytes} bytes) — the file is cut short or forged`);
      }
      entries.set(name, { name, offset, size, packedSize: compressedSize, method });
    }
    return entries;
  } finally {
    await handle.close();
  }
}

function zip64Values(extra: Buffer, what: string, fail: (what: string, why: string) => StudioError): number[] {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      const values: number[] = [];
      for (let k = 0; k + 8 <= length && at + 4 + k + 8 <= extra.length; k += 8) {
        values.push(safeNumber(extra.readBigUInt64LE(at + 4 + k), what, 'zip64 size', fail));
      }
      return values;
    }
    at += 4 + length;
  }
  return [];
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

function safeNumber(value: bigint, what: string, field: string, fail: (what: string, why: string) => StudioError): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(what, `its ${field} (${value}) is impossibly large`);
  return Number(value);
}

export function badZip(what: string, why: string): StudioError {
  return new StudioError('checkpoint.bad-zip', {
    userMessage: `${what} is not a valid PyTorch archive: ${why}.`,
    hint: 'Download the file again; if it still fails, get the .safetensors version of this model.',
  });
}
