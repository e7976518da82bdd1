// A VAE chosen apart from the checkpoint (A1111's "SD VAE", ComfyUI's VAELoader): a diffusers AutoencoderKL folder or
// weights file, or an original-layout file (`encoder.down.N.block…`, with or without `first_stage_model.`, as
// sd-vae-ft-mse-840000 ships), opened as canonical `vae.*` tensors. SD1.5 and SDXL VAEs share one layout, so the base
// cannot be read from the file; a folder's config.json gives its scaling factor.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';
import type { TensorDescriptor } from './descriptors.ts';
import { ldmContext, mapLdmName } from './ldm-names.ts';
import { componentWeightsFile } from './component-weights.ts';
import { readTensorFile } from './tensor-file.ts';

export interface OpenedVae {
  readonly source: string;
  readonly tensors: Map<string, TensorDescriptor>;
  readonly config?: Record<string, unknown>;
}

export async function openVaeFile(source: string): Promise<OpenedVae> {
  const resolved = path.resolve(source);
  const what = path.basename(resolved);
  const file = await componentWeightsFile(source, 'VAE', 'Choose a VAE file (.safetensors, .pt) or a diffusers VAE folder.');
  const index = await readTensorFile(file);
  const names = [...index.tensors.keys()];
  const tensors = new Map<string, TensorDescriptor>();
  if (names.some((n) => n.startsWith('encoder.down_blocks.'))) {
    for (const [name, d] of index.tensors) tensors.set(`vae.${name}`, { ...d, name: `vae.${name}` });
  } else {
    // Original names, bare or under first_stage_model. (a checkpoint's VAE part saved alone).
    const prefixed = new Map([...index.tensors].map(([n, d]) => [n.startsWith('first_stage_model.') ? n : `first_stage_model.${n}`, d]));
    const context = ldmContext(prefixed.keys());
    for (const [name, d] of prefixed) for (const { canonical } of mapLdmName(name, d.shape, context) ?? []) if (canonical.startsWith('vae.')) tensors.set(canonical, { ...d, name: canonical });
  }
  if (!tensors.has('vae.decoder.conv_in.weight') || !tensors.has('vae.encoder.conv_in.weight')) {
    throw new StudioError('checkpoint.wrong-kind', { userMessage: `${what} is not a VAE: it has no encoder and decoder of an AutoencoderKL.`, hint: 'Run `faceid inspect` on it to see what it is, and choose a VAE (e.g. sd-vae-ft-mse).' });
  }
  const configFile = path.join(path.dirname(file), 'config.json');
  let config: Record<string, unknown> | undefined;
  if (existsSync(configFile)) {
    const parsed = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    if (parsed['_class_name'] === 'AutoencoderKL') config = parsed;
  }
  return { source: resolved, tensors, ...(config ? { config } : {}) };
}
