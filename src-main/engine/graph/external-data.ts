// Where compiled graphs find their weights. onnxruntime resolves external data only inside the model's folder
// (toolchain-facts §3: no absolute paths, no "..", no symlinked files or folders that lead outside), so each
// source file is made visible inside the cache folder:
//   1. hard link (same filesystem) to the file, or to a symlink's target: costs no disk, and the bytes are the user's;
//   2. otherwise (another filesystem, a read-only or link-refusing disk): the byte ranges the graphs read are
//      copied into one packed file in the cache folder. This costs disk (about the checkpoint's size) and is
//      reported to the user as a notice with the reason and how to avoid it (put the cache on the same disk).
import { createHash } from 'node:crypto';
import { link, open, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, StudioError } from '../../base/errors.ts';
import type { GraphBuilder } from './graph-builder.ts';

export interface WeightPlacement {
  readonly locationOf: (file: string) => string;
  readonly placeOf: (file: string, offset: number, length: number) => { location: string; offset: number };
  /** Sentences for the user when weights had to be copied. */
  readonly notices: readonly string[];
  /** Bytes written to the cache folder for weights (0 when every file was hard-linked). */
  readonly copiedBytes: number;
}

function linkName(file: string): string {
  const digest = createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 10);
  return `w-${digest}-${path.basename(file)}`;
}

async function sameInode(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** Makes every file the graphs read visible inside `dir` (hard link, else packed copy of the used ranges). */
export async function placeWeights(dir: string, graphs: readonly GraphBuilder[], signal?: AbortSignal): Promise<WeightPlacement> {
  const files = [...new Set(graphs.flatMap((g) => g.externalFiles()))];
  const locations = new Map<string, string>();
  const packed = new Map<string, Map<string, number>>(); // file → "offset:length" → packed offset
  const notices: string[] = [];
  let copiedBytes = 0;
  for (const file of files) {
    const name = linkName(file);
    const target = path.join(dir, name);
    if (await sameInode(file, target)) {
      locations.set(file, name);
      continue;
    }
    await rm(target, { force: true });
    try {
      // link() makes a second name for a symlink itself, not for what it points to; onnxruntime would then follow
      // it out of the model folder (or find it dangling, when relative), so the link's target is linked instead.
      await link(await realpath(file), target);
      locations.set(file, name);
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? 'unknown';
      const packedName = `${name}.packed`;
      const ranges = graphs.flatMap((g) => g.externalRanges()).filter((r) => r.file === file);
      const offsets = await copyRanges(file, path.join(dir, packedName), ranges, signal);
      packed.set(file, offsets.map);
      locations.set(file, packedName);
      copiedBytes += offsets.bytes;
      notices.push(
        `The weights of ${path.basename(file)} were copied into the compiled-model cache (${(offsets.bytes / 2 ** 20).toFixed(0)} MiB) ` +
          `because the cache folder cannot hard-link to it (${reason}: usually another disk or a read-only folder). ` +
          'onnxruntime only reads weights inside the model folder. Put the model cache on the same disk as your checkpoints to avoid the copy.',
      );
    }
  }
  return {
    locationOf: (file) => locations.get(file)!,
    placeOf: (file, offset, length) => {
      const map = packed.get(file);
      if (!map) return { location: locations.get(file)!, offset };
      return { location: locations.get(file)!, offset: map.get(`${offset}:${length}`)! };
    },
    notices,
    copiedBytes,
  };
}

async function copyRanges(source: string, target: string, ranges: readonly { offset: number; length: number }[], signal?: AbortSignal): Promise<{ map: Map<string, number>; bytes: number }> {
  const map = new Map<string, number>();
  const input = await open(source, 'r');
  const output = await open(target, 'w').catch((cause: unknown) => {
    throw new StudioError('compile.cache-unwritable', {
      userMessage: `Cannot write into the compiled-model cache ${path.dirname(target)}: ${(cause as Error).message}`,
      hint: 'Choose a writable folder for the model cache in Settings.',
      cause,
    });
  });
  let written = 0;
  try {
    const chunk = Buffer.alloc(16 * 2 ** 20);
    for (const range of ranges) {
      const key = `${range.offset}:${range.length}`;
      if (map.has(key)) continue;
      map.set(key, written);
      for (let done = 0; done < range.length; ) {
        if (signal?.aborted) throw new CancelledError('Compilation');
        const size = Math.min(chunk.length, range.length - done);
        const { bytesRead } = await input.read(chunk, 0, size, range.offset + done);
        if (bytesRead === 0) throw new StudioError('checkpoint.truncated', { userMessage: `${path.basename(source)} ended inside a tensor it declares.` });
        await output.write(chunk, 0, bytesRead, written);
        written += bytesRead;
        done += bytesRead;
      }
    }
  } finally {
    await input.close();
    await output.close();
  }
  return { map, bytes: written };
}
