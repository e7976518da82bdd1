// For `npm run bench`: write a full-size random-weight checkpoint from the real key lists (fixtures/manifests) and
// measure what compiling it costs: wall time, disk used by the cache (vs the checkpoint's size) and peak RSS.
//
//   const ckpt = await writeRandomDiffusersCheckpoint(manifestsFolder + '/sd15_diffusers.json', '/tmp/sd15-random');
//   const adapter = await writeRandomTensorFile(manifestsFolder + '/ipadapter_faceid_bins.json', 'ip-adapter-faceid_sd15.bin', '/tmp/faceid.safetensors');
//   const report = await benchCompile(ckpt, { cacheDir: '/tmp/cache', adapter });
//   // report: { seconds, cachedSeconds, diskBytes, checkpointBytes, diskFraction, peakRssBytes, … }
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compileModel, type CompiledModel, type LoraRequest } from './compile.ts';

interface ManifestTensors {
  readonly tensors: Readonly<Record<string, { readonly shape: readonly number[] }>>;
}

/**
 * Writes a safetensors file of fp16 noise (|x| ≈ 0.004–0.03, random sign) for the given shapes, streaming so that
 * a 2 GB file never sits in memory.
 */
export async function writeRandomSafetensors(file: string, shapes: Readonly<Record<string, readonly number[]>>, seed = 1): Promise<number> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const names = Object.keys(shapes).sort();
  for (const name of names) {
    const bytes = shapes[name]!.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'F16', shape: shapes[name], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    await handle.write(Buffer.concat([prefix, Buffer.from(json)]));
    let state = seed >>> 0 || 1;
    const chunk = new Uint16Array(8 * 2 ** 20);
    let remaining = offset / 2;
    while (remaining > 0) {
      const count = Math.min(chunk.length, remaining);
      for (let i = 0; i < count; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        // sign | exponent 7 or 8 (2^-8 … 2^-6) | 10 random mantissa bits
        chunk[i] = ((state >>> 16) & 0x8000) | ((7 + ((state >>> 10) & 1)) << 10) | (state & 0x3ff);
      }
      await handle.write(new Uint8Array(chunk.buffer, 0, count * 2));
      remaining -= count;
    }
  } finally {
    await handle.close();
  }
  return 8 + json.length + offset;
}

/** A diffusers folder (unet, vae, text_encoder; no config.json: shapes and SD1.5 conventions must suffice). */
export async function writeRandomDiffusersCheckpoint(manifestFile: string, folder: string): Promise<string> {
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, ManifestTensors>;
  const components = ['unet', 'vae', 'text_encoder'] as const;
  await rm(folder, { recursive: true, force: true });
  for (const [i, component] of components.entries()) {
    const shapes = Object.fromEntries(Object.entries(manifest[component]!.tensors).map(([n, t]) => [n, t.shape]));
    const file = component === 'text_encoder' ? 'model.safetensors' : 'diffusion_pytorch_model.safetensors';
    await writeRandomSafetensors(path.join(folder, component, file), shapes, 17 + i);
  }
  const index = { _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'], vae: ['diffusers', 'AutoencoderKL'], text_encoder: ['transformers', 'CLIPTextModel'] };
  await writeFile(path.join(folder, 'model_index.json'), JSON.stringify(index));
  return folder;
}

/** One entry of a manifest file holding several (e.g. ipadapter_faceid_bins.json) as a safetensors file. */
export async function writeRandomTensorFile(manifestFile: string, entry: string, file: string): Promise<string> {
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, ManifestTensors>;
  const shapes = Object.fromEntries(Object.entries(manifest[entry]!.tensors).map(([n, t]) => [n, t.shape]));
  await writeRandomSafetensors(file, shapes, 99);
  return file;
}

export interface CompileBenchReport {
  readonly checkpoint: string;
  readonly seconds: number;
  /** A second compileModel call (cache hit). */
  readonly cachedSeconds: number;
  readonly diskBytes: number;
  readonly checkpointBytes: number;
  /** diskBytes / checkpointBytes (acceptance: ≤ 0.01). */
  readonly diskFraction: number;
  /** Peak resident memory of this process so far (compile included). */
  readonly peakRssBytes: number;
  readonly compiled: CompiledModel;
}

async function bytesOf(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

/** Compiles `checkpoint` into `cacheDir` (cleared first) and measures it. */
export async function benchCompile(checkpoint: string, options: { cacheDir: string; adapter?: string; loras?: readonly LoraRequest[] }): Promise<CompileBenchReport> {
  await rm(options.cacheDir, { recursive: true, force: true });
  const started = performance.now();
  const compiled = await compileModel(checkpoint, options);
  const seconds = (performance.now() - started) / 1000;
  const again = performance.now();
  await compileModel(checkpoint, options);
  const cachedSeconds = (performance.now() - again) / 1000;
  const { openCheckpoint } = await import('../io/checkpoint.ts');
  const sources = [...new Set([...(await openCheckpoint(checkpoint)).tensors.values()].map((t) => t.file))];
  const checkpointBytes = await bytesOf(sources);
  return {
    checkpoint,
    seconds,
    cachedSeconds,
    diskBytes: compiled.diskBytes,
    checkpointBytes,
    diskFraction: compiled.diskBytes / checkpointBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    compiled,
  };
}
