// Content-addressed files under the library folder: references/ab/<sha256>.<ext>, thumbnails/ab/<sha256>.webp.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Media path of a reference photo's original bytes. */
  referencePath(sha256: string, extension: string): string {
    return `references/${sha256.slice(0, 2)}/${sha256}.${extension}`;
  }

  /** Media path of a reference photo's thumbnail. */
  thumbnailPath(sha256: string): string {
    return `thumbnails/${sha256.slice(0, 2)}/${sha256}.webp`;
  }

  absolute(mediaPath: string): string {
    return path.join(this.root, mediaPath);
  }

  /** Writes a file atomically (temp file + rename), so a crash never leaves half a photo under its final name. */
  write(mediaPath: string, bytes: Uint8Array): void {
    const target = this.absolute(mediaPath);
    if (existsSync(target)) return; // content-addressed: the same path always holds the same bytes
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.partial`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, target);
  }

  remove(mediaPath: string): void {
    rmSync(this.absolute(mediaPath), { force: true });
  }

  /** Removes a whole folder of media (previews left by a studio that stopped mid-job). */
  removeFolder(mediaFolder: string): void {
    rmSync(this.absolute(mediaFolder), { recursive: true, force: true });
  }
}
