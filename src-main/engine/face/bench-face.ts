// Bench hook (benchmarks issue): time per reference photo for detection, alignment and embedding, measured
// separately on already-decoded pixels, so `npm run bench` can report face-analysis cost per model set.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { normCrop } from './align.ts';
import { decodeReferenceImage } from './decode-image.ts';
import { decodeDetections, detectorBlob, letterbox } from './detect.ts';
import { arcfaceBlob } from './embed.ts';
import { loadFaceModels, releaseFaceModels, runDetector, runRecognizer } from './models.ts';

export interface FaceBenchResult {
  readonly references: number;
  readonly repeats: number;
  readonly faces: number;
  /** Median milliseconds per reference photo for each stage and in total. */
  readonly detectMs: number;
  readonly alignMs: number;
  readonly embedMs: number;
  readonly totalMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Times detect (640) + align (112) + embed for each image, `repeats` times after one warm-up pass. */
export async function benchFace(options: { modelsFolder: string; images: readonly (string | Uint8Array)[]; repeats?: number; detectionSize?: number }): Promise<FaceBenchResult> {
  const repeats = options.repeats ?? 5;
  const size = options.detectionSize ?? 640;
  const models = await loadFaceModels(options.modelsFolder);
  const decoded = await Promise.all(options.images.map((image) => decodeReferenceImage(image)));
  const detect: number[] = [];
  const align: number[] = [];
  const embed: number[] = [];
  let faces = 0;
  try {
    for (let pass = 0; pass <= repeats; pass++) {
      for (const { image } of decoded) {
        const t0 = performance.now();
        const { canvas, scale } = letterbox(image, size);
        const detections = decodeDetections(await runDetector(models, detectorBlob(canvas), size, size), { inputWidth: size, inputHeight: size, scale });
        const t1 = performance.now();
        const crops = detections.map((d) => normCrop(image, d.landmarks, models.recognizerInputSize).crop);
        const t2 = performance.now();
        if (crops.length > 0) await runRecognizer(models, arcfaceBlob(crops), crops.length);
        const t3 = performance.now();
        if (pass === 0) {
          faces += detections.length;
          continue;
        }
        detect.push(t1 - t0);
        align.push(t2 - t1);
        embed.push(t3 - t2);
      }
    }
  } finally {
    await releaseFaceModels(models);
  }
  const totals = detect.map((d, i) => d + align[i]! + embed[i]!);
  return { references: decoded.length, repeats, faces, detectMs: median(detect), alignMs: median(align), embedMs: median(embed), totalMs: median(totals) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [modelsFolder, ...images] = process.argv.slice(2);
  if (!modelsFolder || images.length === 0) {
    console.error('usage: node src-main/engine/face/bench-face.ts <face models folder> IMG…');
    process.exit(2);
  }
  console.log(JSON.stringify(await benchFace({ modelsFolder, images }), null, 2));
}
