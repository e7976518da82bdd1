// Test stand-in for the checkpoint reader: the tensors of a diffusers folder under component-prefixed names
// (`unet.`, `vae.`, `text_encoder.`), as openCheckpoint names them, plus each component's config.json.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TensorDescriptor } from '../../src-main/engine/io/descriptors.ts';
import { readSafetensors } from '../../src-main/engine/io/safetensors.ts';

const WEIGHT_FILES = ['diffusion_pytorch_model.safetensors', 'model.safetensors'];

export async function diffusersFolderTensors(folder: string, components: readonly string[] = ['unet', 'vae', 'text_encoder']): Promise<{
  tensors: Map<string, TensorDescriptor>;
  configs: Record<string, Record<string, unknown>>;
}> {
  const tensors = new Map<string, TensorDescriptor>();
  const configs: Record<string, Record<string, unknown>> = {};
  for (const component of components) {
    const file = WEIGHT_FILES.map((f) => path.join(folder, component, f)).find((f) => existsSync(f));
    if (!file) throw new Error(`${folder}/${component} has no weights file`);
    for (const [name, descriptor] of (await readSafetensors(file)).tensors) {
      tensors.set(`${component}.${name}`, { ...descriptor, name: `${component}.${name}` });
    }
    configs[component] = JSON.parse(await readFile(path.join(folder, component, 'config.json'), 'utf8')) as Record<string, unknown>;
  }
  return { tensors, configs };
}
