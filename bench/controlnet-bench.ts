// The ControlNet figures of `npm run bench`: a full-size random-weight SD1.5 ControlNet (fp16, lllyasviel's layout)
// written from the real key list (fixtures/control/manifests/controlnet_sd15.json), its compile time and extra disk, and
// one ControlNet run per step at `size`² with CFG next to a UNet step timed in the same run (the unit's cost per step).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compileControlNet } from '../src-main/engine/models/compile-control.ts';
import type { CompiledModel } from '../src-main/engine/models/compile.ts';
import { fixture } from '../test/helpers/fixtures.ts';
import { controlNetFeeds, timeControlNet, timeUnet, type TimedSessionPool } from './engine-bench.ts';
import { countGraphFlops } from './flops.ts';
import { writeRandomSafetensors } from './generate-weights.ts';
import { measured, type Figure, type FigureId } from './results.ts';

export interface ControlNetBenchContext {
  readonly cacheRoot: string;
  readonly pool: TimedSessionPool;
  readonly figures: Partial<Record<FigureId, Figure>>;
  readonly attempt: (ids: readonly FigureId[], what: string, measure: () => Promise<void>) => Promise<void>;
  readonly log: (line: string) => void;
  /** The full-size SD1.5 the UNet step is timed on. */
  readonly unet: CompiledModel | undefined;
  readonly size: number;
  readonly repeats: number;
}

/** The random ControlNet file (made once per cache folder: ≈ 0.7 GB). */
function benchControlNetFile(cacheRoot: string, log: (line: string) => void): string {
  const file = path.join(cacheRoot, 'bench-controlnet-sd15.fp16.safetensors');
  if (existsSync(file)) return file;
  const manifest = JSON.parse(readFileSync(fixture('control', 'manifests', 'controlnet_sd15.json'), 'utf8')) as { original: { tensors: Record<string, { shape: number[] }> } };
  log('writing a full-size random SD1.5 ControlNet from the real key list…');
  writeRandomSafetensors(file, new Map(Object.entries(manifest.original.tensors).map(([name, t]) => [name, t.shape])), 7, { note: 'random bench weights' });
  return file;
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((total, entry) => {
    const info = statSync(path.join(dir, entry));
    return total + (info.nlink === 1 ? info.size : 0);
  }, 0);
}

export async function benchControlNet({ cacheRoot, pool, figures, attempt, log, unet, size, repeats }: ControlNetBenchContext): Promise<void> {
  const file = benchControlNetFile(cacheRoot, log);
  const compileDir = path.join(cacheRoot, `compiled-controlnet-${process.pid}`);
  let compiledPath: string | undefined;
  await attempt(['controlnet.compile.seconds', 'controlnet.compile.extra_disk'], 'ControlNet: compiling (fresh cache folder)', async () => {
    const started = performance.now();
    const compiled = await compileControlNet(file, { cacheDir: compileDir });
    figures['controlnet.compile.seconds'] = measured((performance.now() - started) / 1000, 's', { repeats: 1, note: 'full-size random SD1.5 ControlNet, fp16 original layout' });
    figures['controlnet.compile.extra_disk'] = measured(folderBytes(path.dirname(compiled.path)) / 1e6, 'MB', { note: 'graph + manifest; weights stay in the file (hard link or reference)' });
    compiledPath = compiled.path;
  });
  const ids = [`controlnet.${size}.flops`, `controlnet.${size}.step`, `controlnet.${size}.unet_step`, `controlnet.${size}.ratio`] as FigureId[];
  await attempt(ids, `ControlNet ${size}² CFG×2 next to a UNet step`, async () => {
    if (!compiledPath || !unet) throw new Error('the ControlNet or the UNet did not compile');
    const shapes = Object.fromEntries(Object.entries(controlNetFeeds(768, size)()).map(([name, t]) => [name, [...t.dims]]));
    const flops = countGraphFlops(compiledPath, shapes);
    figures[`controlnet.${size}.flops` as FigureId] = measured(flops.matrixFlops / 1e9, 'GFLOP', { note: 'MatMul + Conv of one run (CFG batch 2)' });
    const control = await timeControlNet(pool, compiledPath, 768, size, repeats);
    const step = await timeUnet(pool, unet, size, repeats);
    figures[`controlnet.${size}.step` as FigureId] = measured(control.seconds, 's/step', { repeats: control.repeats, note: 'batch 2 (CFG), fp32 CPU, after 1 warm-up' });
    figures[`controlnet.${size}.unet_step` as FigureId] = measured(step.seconds, 's/step', { repeats: step.repeats, note: 'the plain UNet, timed right after in the same run' });
    figures[`controlnet.${size}.ratio` as FigureId] = measured((100 * control.seconds) / step.seconds, '%', { note: 'one ControlNet unit per step, as a share of the UNet step' });
  });
}
