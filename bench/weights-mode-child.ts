// One txt2img (the bench's request, 256² unless a size is given) in its own process with expanded or compact weights (engine/onnx/session.ts),
// so each mode's peak RSS is its own: `node bench/weights-mode-child.ts <fast|compact> <checkpoint> <cacheDir>
// <tokenizerDir> <steps> [size]` prints JSON. The first image includes opening the sessions; the second is warm.
import { SessionPool } from '../src-main/engine/onnx/session-pool.ts';
import { generate } from '../src-main/engine/pipeline/generate.ts';
import { ModelLoader } from '../src-main/engine/pipeline/model-loader.ts';
import { TXT2IMG_REQUEST } from './engine-bench.ts';
import { peakRssBytes } from './peak-rss.ts';

export interface WeightsModeResult {
  readonly firstImageSeconds: number;
  readonly warmImageSeconds: number;
  readonly maxRssBytes: number;
}

const [mode, checkpoint, cacheDir, tokenizerDir, steps, size = String(TXT2IMG_REQUEST.width)] = process.argv.slice(2);
if ((mode !== 'fast' && mode !== 'compact') || !checkpoint || !cacheDir || !tokenizerDir || !steps) {
  console.error('usage: node bench/weights-mode-child.ts <fast|compact> <checkpoint> <cacheDir> <tokenizerDir> <steps> [size]');
  process.exit(2);
}
const pool = new SessionPool({ memoryBudgetBytes: 64 * 2 ** 30, preferredProviders: [], compactWeights: mode === 'compact' });
const loader = new ModelLoader({ cacheDir, pool, tokenizerDir });
const timeImage = async (): Promise<number> => {
  const started = performance.now();
  const images = await generate({ ...TXT2IMG_REQUEST, width: Number(size), height: Number(size), model: checkpoint, steps: Number(steps) }, { loader });
  if (images.length !== 1) throw new Error('txt2img produced no image');
  return (performance.now() - started) / 1000;
};
const firstImageSeconds = await timeImage();
const warmImageSeconds = await timeImage();
await pool.releaseAll();
const result: WeightsModeResult = { firstImageSeconds, warmImageSeconds, maxRssBytes: peakRssBytes() };
console.log(JSON.stringify(result));
