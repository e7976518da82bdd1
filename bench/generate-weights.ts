// Full-size random-weight stand-ins for `npm run bench`: a checkpoint (LDM layout, fp16: SD1.5 ~2.1 GB, SDXL ~6.9 GB)
// and its IP-Adapter FaceID adapter, with every tensor name and shape taken from the real files' manifests
// (fixtures/manifests). Random weights cost exactly what real ones cost to index, compile and run, and we cannot
// download real ones here.
//
// Values: weights ~ U(±√3·σ) with σ = 1/√fan_in (so each layer keeps its activations' scale and a 1000-layer
// stack stays finite in fp32), 1-D `.weight` (norm scales) = 1, biases ~ U(±0.01). Written tensor by tensor through
// one 16 MiB buffer (never the whole file in the heap); a fixed-seed xorshift makes the bytes identical on every run.
// Files are cached: `ensureBenchWeights` only writes those missing or made by another GENERATOR_VERSION.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { floatToHalf } from '../src-main/engine/tensors/dtype.ts';

/** Bump when the values or layout change: cached files are rewritten. */
export const GENERATOR_VERSION = '1';

export interface ManifestTensor {
  readonly shape: readonly number[];
  readonly dtype: string;
}

export interface BenchWeights {
  readonly checkpoint: string;
  readonly adapter: string;
  readonly checkpointBytes: number;
  readonly adapterBytes: number;
  /** Seconds spent writing (0 when both came from the cache). */
  readonly generatedSeconds: number;
}

const TABLE_BITS = 12;
const TABLE_SIZE = 1 << TABLE_BITS;
const CHUNK_BYTES = 16 * 2 ** 20;

/** Deterministic 32-bit xorshift; the seed mixes the generator seed with the tensor name. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function hashName(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** What a tensor's values look like: a constant, or uniform noise of half-width `range`. */
export function valueRule(name: string, shape: readonly number[]): { constant: number } | { range: number } {
  if (shape.length === 1 && name.endsWith('.weight')) return { constant: 1 };
  if (shape.length <= 1) return { range: 0.01 };
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return { range: Math.sqrt(3 / fanIn) };
}

/** Fills `out` (fp16 bits) with the tensor's values, continuing the tensor's own random stream. */
function fillHalf(out: Uint16Array, rule: ReturnType<typeof valueRule>, table: Uint16Array | undefined, next: () => number): void {
  if ('constant' in rule) {
    out.fill(floatToHalf(rule.constant));
    return;
  }
  const values = table!;
  const mask = TABLE_SIZE - 1;
  let i = 0;
  for (; i + 1 < out.length; i += 2) {
    const r = next();
    out[i] = values[r & mask]!;
    out[i + 1] = values[(r >>> 16) & mask]!;
  }
  if (i < out.length) out[i] = values[next() & mask]!;
}

/** Quantiles of U(−range, range) as fp16: indexing it with uniform random bits draws from the distribution. */
function uniformTable(range: number): Uint16Array {
  const table = new Uint16Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = floatToHalf(range * ((2 * (i + 0.5)) / TABLE_SIZE - 1));
  return table;
}

/** Writes an fp16 .safetensors file with these names and shapes, streaming (atomic: temp file, then rename). */
export function writeRandomSafetensors(file: string, tensors: ReadonlyMap<string, readonly number[]>, seed: number, metadata: Record<string, string> = {}): number {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape] of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'F16', shape: [...shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));

  const partial = `${file}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, jsonBytes);
    const chunk = new Uint16Array(CHUNK_BYTES / 2);
    const tables = new Map<number, Uint16Array>();
    for (const [name, shape] of tensors) {
      const rule = valueRule(name, shape);
      const table = 'range' in rule ? (tables.get(rule.range) ?? tables.set(rule.range, uniformTable(rule.range)).get(rule.range)) : undefined;
      const next = xorshift(hashName(name, seed));
      let left = shape.reduce((a, b) => a * b, 1);
      while (left > 0) {
        const count = Math.min(left, chunk.length);
        const view = chunk.subarray(0, count);
        fillHalf(view, rule, table, next);
        writeSync(fd, new Uint8Array(view.buffer, view.byteOffset, count * 2));
        left -= count;
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  return 8 + jsonBytes.length + offset;
}

function readManifest(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function tensorsOf(section: unknown, what: string): Map<string, readonly number[]> {
  const tensors = (section as { tensors?: Record<string, ManifestTensor> } | undefined)?.tensors;
  if (!tensors) throw new Error(`the manifest has no tensor list for ${what}`);
  return new Map(Object.entries(tensors).map(([name, t]) => [name, t.shape]));
}

export type BenchBase = 'sd15' | 'sdxl';

/** Per base: the manifest of the single file and the adapter entry of ipadapter_faceid_bins.json. */
const BENCH_MODELS: Readonly<Record<BenchBase, { readonly checkpoint: string; readonly adapter: string }>> = {
  sd15: { checkpoint: 'sd15_ldm.json', adapter: 'ip-adapter-faceid_sd15.bin' },
  sdxl: { checkpoint: 'sdxl_ldm.json', adapter: 'ip-adapter-faceid_sdxl.bin' },
};

/** The LDM checkpoint tensors and the FaceID adapter tensors of `base`, from the fixture manifests. */
export function benchTensorLists(manifestsDir: string, base: BenchBase = 'sd15'): { checkpoint: Map<string, readonly number[]>; adapter: Map<string, readonly number[]> } {
  const model = BENCH_MODELS[base];
  const checkpoint = tensorsOf(readManifest(path.join(manifestsDir, model.checkpoint)), model.checkpoint);
  const adapter = tensorsOf(readManifest(path.join(manifestsDir, 'ipadapter_faceid_bins.json'))[model.adapter], model.adapter);
  return { checkpoint, adapter };
}

/** Makes sure both files of `base` exist in `cacheDir` (written once, then reused); returns their paths and sizes. */
export function ensureBenchWeights(cacheDir: string, manifestsDir: string, log: (line: string) => void = () => {}, base: BenchBase = 'sd15'): BenchWeights {
  mkdirSync(cacheDir, { recursive: true });
  const lists = benchTensorLists(manifestsDir, base);
  const started = performance.now();
  const checkpoint = path.join(cacheDir, `${base}-random-v${GENERATOR_VERSION}.fp16.safetensors`);
  const adapter = path.join(cacheDir, `ip-adapter-faceid_${base}-random-v${GENERATOR_VERSION}.safetensors`);
  let wrote = false;
  if (!existsSync(checkpoint)) {
    log(`writing ${checkpoint} (${lists.checkpoint.size} tensors, full size fp16; once)`);
    writeRandomSafetensors(checkpoint, lists.checkpoint, 1, { format: 'pt', note: `random-weight ${base} stand-in for benchmarks` });
    wrote = true;
  }
  if (!existsSync(adapter)) {
    log(`writing ${adapter} (${lists.adapter.size} tensors)`);
    writeRandomSafetensors(adapter, lists.adapter, 2, { format: 'pt', note: `random-weight IP-Adapter FaceID ${base} stand-in for benchmarks` });
    wrote = true;
  }
  return {
    checkpoint,
    adapter,
    checkpointBytes: statSync(checkpoint).size,
    adapterBytes: statSync(adapter).size,
    generatedSeconds: wrote ? (performance.now() - started) / 1000 : 0,
  };
}
