// Copies one member out of a zip archive (InsightFace publishes buffalo_l only as buffalo_l.zip).
// Reads the central directory, then streams that member's bytes (stored or deflated) through sha256
// into `<destination>.part` and renames it into place. No zip64: the archives we fetch are < 4 GiB.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { StudioError } from '../base/errors.ts';

interface ZipMember {
  name: string;
  method: number;
  compressedBytes: number;
  uncompressedBytes: number;
  localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

function corrupt(zipPath: string, what: string): StudioError {
  return new StudioError('model.download-failed', {
    userMessage: `The archive ${path.basename(zipPath)} is damaged (${what}).`,
    hint: 'Delete it from the downloads folder and download again.',
  });
}

async function listMembers(zipPath: string): Promise<ZipMember[]> {
  const file = await open(zipPath, 'r');
  try {
    const size = (await file.stat()).size;
    const tailLength = Math.min(size, 22 + 65535);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let at = tailLength - 22; at >= 0; at -= 1) {
      if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
        eocd = at;
        break;
      }
    }
    if (eocd < 0) throw corrupt(zipPath, 'no end-of-central-directory record');
    const count = tail.readUInt16LE(eocd + 10);
    const directoryBytes = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    const directory = Buffer.alloc(directoryBytes);
    await file.read(directory, 0, directoryBytes, directoryOffset);
    const members: ZipMember[] = [];
    let at = 0;
    for (let i = 0; i < count; i += 1) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw corrupt(zipPath, 'bad central directory');
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      members.push({
        method: directory.readUInt16LE(at + 10),
        compressedBytes: directory.readUInt32LE(at + 20),
        uncompressedBytes: directory.readUInt32LE(at + 24),
        localHeaderOffset: directory.readUInt32LE(at + 42),
        name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return members;
  } finally {
    await file.close();
  }
}

/** Extracts the member whose base name is `memberName` (archives may nest it in a folder). */
export async function extractZipMember(zipPath: string, memberName: string, destination: string): Promise<{ sizeBytes: number; sha256: string }> {
  const member = (await listMembers(zipPath)).find((m) => m.name === memberName || m.name.endsWith(`/${memberName}`));
  if (!member) throw corrupt(zipPath, `no member named ${memberName}`);
  if (member.method !== 0 && member.method !== 8) throw corrupt(zipPath, `${memberName} uses compression method ${member.method}`);
  const header = Buffer.alloc(30);
  const file = await open(zipPath, 'r');
  try {
    await file.read(header, 0, 30, member.localHeaderOffset);
  } finally {
    await file.close();
  }
  if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw corrupt(zipPath, `bad local header for ${memberName}`);
  const dataStart = member.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  const part = `${destination}.part`;
  await mkdir(path.dirname(destination), { recursive: true });
  try {
    const source = member.compressedBytes === 0 ? Readable.from([]) : createReadStream(zipPath, { start: dataStart, end: dataStart + member.compressedBytes - 1 });
    if (member.method === 8) await pipeline(source, createInflateRaw(), measure, createWriteStream(part));
    else await pipeline(source, measure, createWriteStream(part));
  } catch (cause) {
    await rm(part, { force: true });
    if (cause instanceof StudioError) throw cause;
    throw corrupt(zipPath, `${memberName} could not be extracted: ${(cause as Error).message}`);
  }
  if (sizeBytes !== member.uncompressedBytes) {
    await rm(part, { force: true });
    throw corrupt(zipPath, `${memberName} has ${sizeBytes} bytes, the directory says ${member.uncompressedBytes}`);
  }
  await rename(part, destination);
  return { sizeBytes, sha256: hash.digest('hex') };
}
