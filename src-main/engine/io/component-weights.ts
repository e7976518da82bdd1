// One diffusers component given on its own (a ControlNet, T2I-Adapter or VAE): its folder, whose weights file is one
// of diffusers' names, or a weights file. `what` names the kind in the message when nothing is there.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../base/errors.ts';

const FOLDER_WEIGHTS = ['diffusion_pytorch_model.safetensors', 'diffusion_pytorch_model.fp16.safetensors', 'diffusion_pytorch_model.bin'];

export async function componentWeightsFile(source: string, what: string, hint: string): Promise<string> {
  const resolved = path.resolve(source);
  const isFolder = (await stat(resolved).catch(() => undefined))?.isDirectory() ?? false;
  const file = isFolder ? FOLDER_WEIGHTS.map((f) => path.join(resolved, f)).find((f) => existsSync(f)) : resolved;
  if (!file || !existsSync(file)) {
    throw new StudioError('checkpoint.not-found', { userMessage: `The ${what} ${source} does not exist${isFolder ? ' (no diffusion_pytorch_model weights in the folder)' : ''}.`, hint });
  }
  return file;
}
