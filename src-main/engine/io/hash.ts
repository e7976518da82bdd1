// sha256 of a file, streamed in chunks (never the whole file in memory), with progress and cancellation.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { throwIfCancelled } from '../../base/errors.ts';

export interface HashOptions {
  readonly signal?: AbortSignal;
  /** Called after each chunk with bytes done and total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export async function sha256File(file: string, options: HashOptions = {}): Promise<string> {
  const total = (await stat(file)).size;
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    throwIfCancelled(options.signal, 'Hashing');
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    options.onProgress?.(done, total);
  }
  return hash.digest('hex');
}
