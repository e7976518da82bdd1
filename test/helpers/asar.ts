// Reads an asar archive (Electron's app.asar) without Electron: the index of its files and, for tests that
// load the packed modules under Node, an extraction that also copies the files kept in app.asar.unpacked.
// Format: uint32 4, uint32 header size, then a pickle holding the JSON index; file data follows the header.
import { copyFileSync, mkdirSync, openSync, readFileSync, readSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AsarEntry {
  /** Path inside the archive, with a leading slash: `/node_modules/zod/package.json`. */
  path: string;
  sizeBytes: number;
  /** Stored beside the archive in app.asar.unpacked rather than inside it. */
  isUnpacked: boolean;
  offset: number;
}

interface IndexNode {
  files?: Record<string, IndexNode>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
  link?: string;
}

function readHeader(archive: string): { index: IndexNode; dataStart: number } {
  const fd = openSync(archive, 'r');
  try {
    const prefix = Buffer.alloc(16);
    readSync(fd, prefix, 0, 16, 0);
    const headerSize = prefix.readUInt32LE(4);
    const jsonLength = prefix.readUInt32LE(12);
    const json = Buffer.alloc(jsonLength);
    readSync(fd, json, 0, jsonLength, 16);
    return { index: JSON.parse(json.toString('utf8')) as IndexNode, dataStart: 8 + headerSize };
  } finally {
    closeSync(fd);
  }
}

/** Every file in the archive (folders and links left out). */
export function listAsar(archive: string): AsarEntry[] {
  const entries: AsarEntry[] = [];
  const walk = (node: IndexNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const entryPath = `${prefix}/${name}`;
      if (child.files !== undefined) walk(child, entryPath);
      else if (child.link === undefined) {
        entries.push({ path: entryPath, sizeBytes: child.size ?? 0, isUnpacked: child.unpacked === true, offset: Number(child.offset ?? 0) });
      }
    }
  };
  walk(readHeader(archive).index, '');
  return entries;
}

/** Writes every file of the archive under `destination`, taking unpacked ones from `<archive>.unpacked`. */
export function extractAsar(archive: string, destination: string): void {
  const { dataStart } = readHeader(archive);
  const data = readFileSync(archive);
  for (const entry of listAsar(archive)) {
    const target = path.join(destination, entry.path);
    mkdirSync(path.dirname(target), { recursive: true });
    if (entry.isUnpacked) copyFileSync(path.join(`${archive}.unpacked`, entry.path), target);
    else writeFileSync(target, data.subarray(dataStart + entry.offset, dataStart + entry.offset + entry.sizeBytes));
  }
}
