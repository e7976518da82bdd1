// TAESD decoders (madebyollin's Tiny AutoEncoder for SD and SDXL) by content: the original decoder files
// (taesd_decoder / taesdxl_decoder .pth or .safetensors: a bare nn.Sequential, `1.weight`, `3.conv.0.weight`, …, the
// Clamp at index 0) and diffusers' AutoencoderTiny (`decoder.layers.K.*`, the Clamp done in forward, so one index
// lower). Opened as canonical `taesd.layers.K.*` in diffusers' numbering.
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import { componentWeightsFile } from './component-weights.ts';
import type { TensorDescriptor } from './descriptors.ts';
import { readTensorFile } from './tensor-file.ts';

export type TaesdLayout = 'original' | 'diffusers';

/** Which TAESD decoder layout these tensor names are, if any: both start with a 3×3 conv from the 4 latent channels. */
export function describeTaesd(shapes: ReadonlyMap<string, readonly number[]>): TaesdLayout | undefined {
  const isConvFromLatent = (name: string) => {
    const shape = shapes.get(name);
    return shape?.length === 4 && shape[1] === 4 && shape[2] === 3;
  };
  if (isConvFromLatent('decoder.layers.0.weight') && shapes.has('decoder.layers.2.conv.0.weight')) return 'diffusers';
  if (isConvFromLatent('1.weight') && shapes.has('3.conv.0.weight') && ![...shapes.keys()].some((n) => !/^\d+\./u.test(n))) return 'original';
  return undefined;
}

export interface OpenedTaesd {
  readonly source: string;
  readonly layout: TaesdLayout;
  /** Canonical `taesd.layers.K.*` tensors (diffusers' decoder numbering). */
  readonly tensors: Map<string, TensorDescriptor>;
}

export async function openTaesdDecoder(source: string): Promise<OpenedTaesd> {
  const file = await componentWeightsFile(source, 'TAESD decoder', 'Choose taesd_decoder.safetensors (or .pth), or the madebyollin/taesd folder.');
  const index = await readTensorFile(file);
  const layout = describeTaesd(new Map([...index.tensors].map(([n, d]) => [n, d.shape])));
  if (layout === undefined) {
    throw new StudioError('checkpoint.wrong-kind', { userMessage: `${path.basename(path.resolve(source))} is not a TAESD decoder.`, hint: 'Preview decoders are madebyollin\'s taesd_decoder / taesdxl_decoder files (or their diffusers AutoencoderTiny folders).' });
  }
  const tensors = new Map<string, TensorDescriptor>();
  for (const [name, descriptor] of index.tensors) {
    const match = layout === 'diffusers' ? /^decoder\.layers\.(\d+)\.(.+)$/u.exec(name) : /^(\d+)\.(.+)$/u.exec(name);
    if (!match) continue;
    const canonical = `taesd.layers.${Number(match[1]) - (layout === 'original' ? 1 : 0)}.${match[2]}`;
    tensors.set(canonical, { ...descriptor, name: canonical });
  }
  return { source: path.resolve(source), layout, tensors };
}
