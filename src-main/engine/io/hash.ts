// sha256 of a file, streamed in chunks (never the whole file in memory), with progress and cancellation; and the
// short hashes A1111 writes into infotexts, each file hashed once and remembered.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../../base/errors.ts';

export interface HashOptions {
  readonly signal?: AbortSignal;
  /** Called after each chunk with bytes done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Hash from this byte on (A1111's LoRA hash skips a safetensors file's header). */
  readonly start?: number;
}

export async function sha256File(file: string, options: HashOptions = {}): Promise<string> {
  const start = options.start ?? 0;
  const total = (await stat(file)).size - start;
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024, start })) {
    throwIfCancelled(options.signal, 'Hashing');
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    options.onProgress?.(done, total);
  }
  return hash.digest('hex');
}

/** The tensor bytes of a .safetensors file start after its 8-byte length and the JSON header. */
async function safetensorsDataStart(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    return 8 + Number(head.readBigUInt64LE(0));
  } finally {
    await handle.close();
  }
}

type HashKind = 'file' | 'tensor-data';

interface CachedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** The hash cache kept beside the compiled graphs, shared by the engine (which fills it) and the studio (which reads it). */
export function fileHashCacheIn(cacheDir: string): FileHashCache {
  return new FileHashCache(path.join(cacheDir, 'file-hashes.json'));
}

/**
 * sha256 values of model files, each computed once: kept in memory and in a JSON file keyed by path, size and
 * modification time (A1111 keeps its cache.json the same way), so a 2–7 GB checkpoint is read once, not per image.
 */
export class FileHashCache {
  readonly #cacheFile: string;
  #entries: Promise<Map<string, CachedHash>> | undefined;

  constructor(cacheFile: string) {
    this.#cacheFile = cacheFile;
  }

  #load(): Promise<Map<string, CachedHash>> {
    this.#entries ??= readFile(this.#cacheFile, 'utf8').then(
      (text) => new Map(Object.entries(JSON.parse(text) as Record<string, CachedHash>)),
      // No cache yet, or one a crash left half-written: hash again.
      () => new Map<string, CachedHash>(),
    );
    return this.#entries;
  }

  async #sha256(file: string, kind: HashKind, signal?: AbortSignal): Promise<string> {
    const entries = await this.#load();
    const key = `${kind}:${path.resolve(file)}`;
    const { size, mtimeMs } = await stat(file);
    const cached = entries.get(key);
    if (cached !== undefined && cached.size === size && cached.mtimeMs === mtimeMs) return cached.sha256;
    const start = kind === 'tensor-data' ? await safetensorsDataStart(file) : 0;
    const sha256 = await sha256File(file, { start, ...(signal ? { signal } : {}) });
    entries.set(key, { size, mtimeMs, sha256 });
    await mkdir(path.dirname(this.#cacheFile), { recursive: true });
    await writeFile(this.#cacheFile, JSON.stringify(Object.fromEntries(entries)));
    return sha256;
  }

  /**
   * The file whose whole-file sha256 starts with `modelHash` (A1111's 10 hex digits), among those hashed so far by
   * any process sharing the cache file, and unchanged since; undefined when none is.
   */
  async fileWithModelHash(modelHash: string): Promise<string | undefined> {
    // Read afresh: the engine process that hashes while generating writes the same file.
    const text = await readFile(this.#cacheFile, 'utf8').catch(() => '{}');
    const entries = Object.entries(JSON.parse(text) as Record<string, CachedHash>);
    const wanted = modelHash.toLowerCase();
    for (const [key, entry] of entries) {
      if (!key.startsWith('file:') || !entry.sha256.startsWith(wanted)) continue;
      const file = key.slice('file:'.length);
      const current = await stat(file).catch(() => undefined);
      if (current?.size === entry.size && current.mtimeMs === entry.mtimeMs) return file;
    }
    return undefined;
  }

  /** A1111's `Model hash`: the first 10 hex digits of the checkpoint file's sha256 (modules/sd_models.py shorthash). */
  async modelHash(file: string, signal?: AbortSignal): Promise<string> {
    return (await this.#sha256(file, 'file', signal)).slice(0, 10);
  }

  /** A1111's textual-inversion hash in `TI hashes`: the first 12 hex digits of the file's sha256 (Embedding.shorthash). */
  async embeddingHash(file: string, signal?: AbortSignal): Promise<string> {
    return (await this.#sha256(file, 'file', signal)).slice(0, 12);
  }

  /**
   * A1111's LoRA hash in `Lora hashes`: 12 hex digits of the sha256 of a .safetensors file's tensor data (the
   * "addnet" hash, extensions-builtin/Lora/network.py), of the whole file for other formats.
   */
  async loraHash(file: string, signal?: AbortSignal): Promise<string> {
    return (await this.#sha256(file, /\.safetensors$/iu.test(file) ? 'tensor-data' : 'file', signal)).slice(0, 12);
  }
}
