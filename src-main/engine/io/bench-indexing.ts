// Indexing cost of a single-file checkpoint (header read, validation, canonical names): for `npm run bench`.
// The claim it backs: a multi-GB file is indexed in well under a second with a few MB of heap, because
// no tensor data is read.
import { canonicalFromLdm } from './checkpoint.ts';
import { readTensorFile } from './tensor-file.ts';

export interface IndexingBenchResult {
  readonly seconds: number;
  /** Heap growth while the index is alive (run node with --expose-gc for a steadier number). */
  readonly heapDeltaBytes: number;
  readonly tensors: number;
}

export async function benchCheckpointIndexing(file: string): Promise<IndexingBenchResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const index = await readTensorFile(file);
  // Single files in LDM naming also get their canonical names, as openCheckpoint does.
  const canonical = [...index.tensors.keys()].some((n) => n.startsWith('model.diffusion_model.')) ? canonicalFromLdm(index.tensors).tensors : undefined;
  const seconds = (performance.now() - started) / 1000;
  gc?.();
  const heapDeltaBytes = process.memoryUsage().heapUsed - heapBefore;
  // Keep both alive until measured.
  return { seconds, heapDeltaBytes, tensors: canonical?.size ?? index.tensors.size };
}
