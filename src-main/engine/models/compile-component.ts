// Compiles (or finds in the cache) one model component's graph from a file of its own — a ControlNet, a T2I-Adapter, a
// TAESD decoder — weights left in the user's file as the checkpoint's are (graph/external-data.ts). One folder per
// file state and kind, beside the checkpoints' compilations.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError, throwIfCancelled } from '../../base/errors.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { placeWeights } from '../graph/external-data.ts';
import type { GraphBuilder } from '../graph/graph-builder.ts';
import { WeightMap } from '../graph/weight-map.ts';
import { COMPILER_VERSION } from './compile.ts';
import type { ConfigJson } from './config.ts';

export interface CompiledComponent<C> {
  readonly compilerVersion: string;
  readonly key: string;
  /** The file or folder compiled. */
  readonly source: string;
  readonly path: string;
  readonly fromCache: boolean;
  readonly config: C;
}

export interface ComponentCompileOptions {
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

/** The cached compilation of `kind` for these tensors, or a new one from `build`. */
export async function compileComponent<C>(
  kind: string,
  opened: { source: string; tensors: Map<string, TensorDescriptor> },
  options: ComponentCompileOptions,
  build: (weights: WeightMap) => { graph: GraphBuilder; config: C },
  /** Bumped when this kind's graph or config changes, so older compilations of it are not reused. */
  revision = 1,
): Promise<CompiledComponent<C>> {
  const files = [...new Set([...opened.tensors.values()].map((t) => t.file))];
  const key = createHash('sha256')
    .update(JSON.stringify({ v: COMPILER_VERSION, kind, ...(revision === 1 ? {} : { revision }), files: await Promise.all(files.map(identityOf)), config: options.config }))
    .digest('hex')
    .slice(0, 20);
  const dir = path.join(options.cacheDir, `${kind}-${key}`);
  try {
    const cached = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as CompiledComponent<C>;
    if (cached.key === key && cached.compilerVersion === COMPILER_VERSION && existsSync(cached.path)) return { ...cached, fromCache: true };
  } catch {
    // not compiled yet (or a damaged manifest): compile
  }
  throwIfCancelled(options.signal, 'Compilation');
  const weights = new WeightMap(opened.tensors, path.basename(opened.source));
  const { graph, config } = build(weights);
  const staging = `${dir}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true }).catch((cause: unknown) => {
    throw new StudioError('compile.cache-unwritable', { userMessage: `Cannot create the compiled-model cache folder ${options.cacheDir}: ${(cause as Error).message}`, hint: 'Choose a writable folder for the model cache.', cause });
  });
  try {
    const placement = await placeWeights(staging, [graph], options.signal);
    const model = graph.toModel({ ...placement, producerVersion: COMPILER_VERSION, metadata: { component: kind, checkpoint: path.basename(opened.source), compiler_version: COMPILER_VERSION } });
    await writeFile(path.join(staging, `${kind}.onnx`), model);
    const result = { compilerVersion: COMPILER_VERSION, key, source: opened.source, path: path.join(dir, `${kind}.onnx`), config, fromCache: false };
    await writeFile(path.join(staging, MANIFEST), JSON.stringify(result, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
