// The preview figures of `npm run bench`: a full-size random-weight TAESD decoder (madebyollin's layout: 64 channels,
// stages of 3, 3, 3 and 1 blocks) decoding one x₀ estimate of a `size`² image as the engine does (pooled to a ≤ 192 px
// preview) — what a live preview costs each step — next to a UNet step timed right after it in the same run, and next
// to the full VAE decode at the same size.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileTaesdDecoder } from '../src-main/engine/models/compile-taesd.ts';
import { assertFinite, pseudoRandom, timeGraph, timeUnet, timeVaeDecode } from './engine-bench.ts';
import { previewLatent } from '../src-main/engine/worker/preview.ts';
import { writeRandomSafetensors } from './generate-weights.ts';
import type { ControlNetBenchContext } from './controlnet-bench.ts';
import { measured, type FigureId } from './results.ts';

const CHANNELS = 64;
const STAGES = [3, 3, 3, 1];

/** The decoder's tensor shapes in the original layout (index 0 is the Clamp, ReLUs and upsamples hold nothing). */
function taesdShapes(): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const conv = (name: string, out: number, inp: number, bias = true) => {
    shapes.set(`${name}.weight`, [out, inp, 3, 3]);
    if (bias) shapes.set(`${name}.bias`, [out]);
  };
  conv('1', CHANNELS, 4);
  let index = 3;
  STAGES.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++, index++) for (const j of [0, 2, 4]) conv(`${index}.conv.${j}`, CHANNELS, CHANNELS);
    const last = stage === STAGES.length - 1;
    if (!last) index++;
    conv(`${index++}`, last ? 3 : CHANNELS, CHANNELS, last);
  });
  return shapes;
}

export interface TaesdBenchContext extends ControlNetBenchContext {
  readonly smallRepeats: number;
}

export async function benchTaesd({ cacheRoot, pool, figures, attempt, log, unet, size, repeats, smallRepeats }: TaesdBenchContext): Promise<void> {
  const ids = [`preview.${size}.taesd`, `preview.${size}.unet_step`, `preview.${size}.ratio`, `preview.${size}.vae`] as FigureId[];
  await attempt(ids, `TAESD preview decode ${size}² next to a UNet step and the full VAE decode`, async () => {
    if (!unet) throw new Error('the model did not compile');
    const file = path.join(cacheRoot, 'bench-taesd_decoder.fp16.safetensors');
    if (!existsSync(file)) {
      log('writing a full-size random TAESD decoder…');
      writeRandomSafetensors(file, taesdShapes(), 13, { note: 'random bench weights' });
    }
    const compiled = await compileTaesdDecoder(file, { cacheDir: path.join(cacheRoot, `compiled-taesd-${process.pid}`) });
    // What the engine decodes for a preview (worker/preview.ts): the x₀ estimate pooled to PREVIEW_LATENT_SIDE.
    const pooled = previewLatent(pseudoRandom(4 * (size / 8) ** 2, 5), size / 8, size / 8);
    const preview = await timeGraph(pool, compiled.path, () => ({ latent: new ort.Tensor('float32', pooled.data, [1, 4, pooled.height, pooled.width]) }), smallRepeats, assertFinite('image'));
    const step = await timeUnet(pool, unet, size, repeats);
    const vae = await timeVaeDecode(pool, unet, size, smallRepeats);
    figures[`preview.${size}.taesd` as FigureId] = measured(preview.seconds * 1000, 'ms', { repeats: preview.repeats, note: `one x₀ estimate → a ${8 * pooled.width}×${8 * pooled.height} preview, fp32 CPU` });
    figures[`preview.${size}.unet_step` as FigureId] = measured(step.seconds, 's/step', { repeats: step.repeats, note: 'CFG batch 2, timed right after in the same run' });
    figures[`preview.${size}.ratio` as FigureId] = measured((100 * preview.seconds) / step.seconds, '%', { note: 'a preview every step, as a share of the step' });
    figures[`preview.${size}.vae` as FigureId] = measured(vae.seconds, 's', { repeats: vae.repeats, note: 'the full VAE decode of the same size, for comparison' });
  });
}
