// Compiles (or finds in the cache) a ControlNet's graph, weights left in the user's file as the checkpoint's are
// (graph/external-data.ts). One folder per ControlNet file state, beside the checkpoints' compilations.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import { openControlNet, type ControlBase } from '../io/controlnet.ts';
import { placeWeights } from '../graph/external-data.ts';
import { WeightMap } from '../graph/weight-map.ts';
import { COMPILER_VERSION } from './compile.ts';
import type { ConfigJson } from './config.ts';
import { buildControlNet, controlNetConfig, type ControlNetConfig } from './controlnet.ts';

export interface CompiledControlNet {
  readonly compilerVersion: string;
  readonly key: string;
  /** The ControlNet file or folder compiled. */
  readonly source: string;
  readonly base: ControlBase;
  readonly path: string;
  readonly config: ControlNetConfig;
  readonly fromCache: boolean;
}

export interface ControlNetCompileOptions {
  readonly cacheDir: string;
  /** config.json for a single file whose widths do not tell the attention heads (tiny test models). */
  readonly config?: ConfigJson;
  readonly signal?: AbortSignal;
}

const MANIFEST = 'manifest.json';

async function identityOf(source: string): Promise<string> {
  const info = await stat(source);
  return `${path.resolve(source)}|${info.size}|${info.mtimeMs}`;
}

export async function compileControlNet(source: string, options: ControlNetCompileOptions): Promise<CompiledControlNet> {
  const opened = await openControlNet(source);
  const files = [...new Set([...opened.tensors.values()].map((t) => t.file))];
  const config = options.config ?? opened.config;
  const key = createHash('sha256')
    .update(JSON.stringify({ v: COMPILER_VERSION, kind: 'controlnet', files: await Promise.all(files.map(identityOf)), config }))
    .digest('hex')
    .slice(0, 20);
  const dir = path.join(options.cacheDir, `controlnet-${key}`);
  try {
    const cached = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as CompiledControlNet;
    if (cached.key === key && cached.compilerVersion === COMPILER_VERSION && existsSync(cached.path)) return { ...cached, fromCache: true };
  } catch {
    // not compiled yet (or a damaged manifest): compile
  }
  throwIfCancelled(options.signal, 'Compilation');
  const weights = new WeightMap(opened.tensors, path.basename(opened.source));
  const graph = buildControlNet(weights, controlNetConfig(weights, 'controlnet.', config));
  const staging = `${dir}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true }).catch((cause: unknown) => {
    throw new StudioError('compile.cache-unwritable', { userMessage: `Cannot create the compiled-model cache folder ${options.cacheDir}: ${(cause as Error).message}`, hint: 'Choose a writable folder for the model cache.', cause });
  });
  try {
    const placement = await placeWeights(staging, [graph], options.signal);
    const model = graph.toModel({ ...placement, producerVersion: COMPILER_VERSION, metadata: { component: 'controlnet', checkpoint: path.basename(opened.source), compiler_version: COMPILER_VERSION } });
    await writeFile(path.join(staging, 'controlnet.onnx'), model);
    const result: CompiledControlNet = { compilerVersion: COMPILER_VERSION, key, source: opened.source, base: opened.base, path: path.join(dir, 'controlnet.onnx'), config: controlNetConfig(weights, 'controlnet.', config), fromCache: false };
    await writeFile(path.join(staging, MANIFEST), JSON.stringify(result, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
