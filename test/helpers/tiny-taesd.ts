// A tiny TAESD decoder for tests: diffusers' DecoderTiny layer list (TAESD's stages 3, 3, 3, 1) with seeded weights,
// narrower than the real 64 channels, and its tensors named in either file layout.
import { SeededRandom } from '../../src-main/models/selftest/seeded-random.ts';
import { writeSafetensorsFile, type TestTensor } from './write-safetensors.ts';

export const CHANNELS = 8;
export const STAGES = [3, 3, 3, 1];

export interface Conv {
  readonly weight: Float32Array;
  readonly bias: Float32Array | undefined;
  readonly out: number;
  readonly in: number;
  readonly k: number;
}
export type Layer = { kind: 'conv'; conv: Conv } | { kind: 'relu' } | { kind: 'block'; convs: [Conv, Conv, Conv] } | { kind: 'upsample' };

/** diffusers' DecoderTiny layer list with seeded weights. */
export function tinyDecoder(rng: SeededRandom): Layer[] {
  const conv = (out: number, inp: number, bias = true): Conv => ({ weight: rng.normals(out * inp * 9, 0.25), bias: bias ? rng.normals(out, 0.1) : undefined, out, in: inp, k: 3 });
  const layers: Layer[] = [{ kind: 'conv', conv: conv(CHANNELS, 4) }, { kind: 'relu' }];
  STAGES.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) layers.push({ kind: 'block', convs: [conv(CHANNELS, CHANNELS), conv(CHANNELS, CHANNELS), conv(CHANNELS, CHANNELS)] });
    const last = stage === STAGES.length - 1;
    if (!last) layers.push({ kind: 'upsample' });
    layers.push({ kind: 'conv', conv: conv(last ? 3 : CHANNELS, CHANNELS, last) });
  });
  return layers;
}

export function tensors(layers: readonly Layer[], name: (index: number, rest: string) => string): Record<string, TestTensor> {
  const out: Record<string, TestTensor> = {};
  const put = (key: string, c: Conv) => {
    out[`${key}.weight`] = { dtype: 'F32', shape: [c.out, c.in, c.k, c.k], data: [...c.weight] };
    if (c.bias) out[`${key}.bias`] = { dtype: 'F32', shape: [c.out], data: [...c.bias] };
  };
  layers.forEach((layer, i) => {
    if (layer.kind === 'conv') put(name(i, ''), layer.conv);
    if (layer.kind === 'block') layer.convs.forEach((c, j) => put(name(i, `.conv.${2 * j}`), c));
  });
  return out;
}

/** A tiny TAESD decoder file in madebyollin's original layout (`1.weight`, …: the Clamp at index 0). */
export async function writeTinyTaesdDecoder(file: string, seed = 11): Promise<Layer[]> {
  const layers = tinyDecoder(new SeededRandom(seed));
  await writeSafetensorsFile(file, tensors(layers, (i, rest) => `${i + 1}${rest}`));
  return layers;
}
