// Copies one member out of a zip archive (InsightFace publishes buffalo_l only as buffalo_l.zip).
// Indexes the archive with engine/io's zip reader (every range checked against the file size), then streams that
// member's bytes (stored or deflated) through sha256 into `<destination>.part` and renames it into place.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { StudioError } from '../base/errors.ts';
import { readZipEntries } from '../engine/io/pytorch/zip.ts';

function corrupt(zipPath: string, what: string): StudioError {
  return damaged(path.basename(zipPath), what);
}

function damaged(archiveName: string, what: string): StudioError {
  return new StudioError('model.download-failed', {
    userMessage: `The archive ${archiveName} is damaged (${what}).`,
    hint: 'Delete it from the downloads folder and download again.',
  });
}

/** Extracts the member whose base name is `memberName` (archives may nest it in a folder). */
export async function extractZipMember(zipPath: string, memberName: string, destination: string): Promise<{ sizeBytes: number; sha256: string }> {
  const entries = await readZipEntries(zipPath, (await stat(zipPath)).size, damaged);
  const member = [...entries.values()].find((m) => m.name === memberName || m.name.endsWith(`/${memberName}`));
  if (!member) throw corrupt(zipPath, `no member named ${memberName}`);
  if (member.method !== 0 && member.method !== 8) throw corrupt(zipPath, `${memberName} uses compression method ${member.method}`);
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
    const source = member.packedSize === 0 ? Readable.from([]) : createReadStream(zipPath, { start: member.offset, end: member.offset + member.packedSize - 1 });
    if (member.method === 8) await pipeline(source, createInflateRaw(), measure, createWriteStream(part));
    else await pipeline(source, measure, createWriteStream(part));
  } catch (cause) {
    await rm(part, { force: true });
    if (cause instanceof StudioError) throw cause;
    throw corrupt(zipPath, `${memberName} could not be extracted: ${(cause as Error).message}`);
  }
  if (sizeBytes !== member.size) {
    await rm(part, { force: true });
    throw corrupt(zipPath, `${memberName} has ${sizeBytes} bytes, the directory says ${member.size}`);
  }
  await rename(part, destination);
  return { sizeBytes, sha256: hash.digest('hex') };
}
