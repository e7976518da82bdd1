// ComfyUI's extra_model_paths.yaml (beside its main.py): sections of `base_path` plus model-kind → folder(s), one
// folder per line in a block string, relative to base_path (itself relative to the yaml's folder, `~` expanded), as
// ComfyUI's utils/extra_config.py reads them. People use it to share an A1111 install's models with ComfyUI, so its
// folders are model folders too.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export const EXTRA_MODEL_PATHS_FILE = 'extra_model_paths.yaml';

/** Model kinds whose folders hold files the studio can use (others — configs, hypernetworks — are left out). */
const MODEL_KINDS = new Set(['checkpoints', 'loras', 'vae', 'controlnet', 't2i_adapter', 'embeddings', 'clip_vision', 'ipadapter', 'insightface', 'upscale_models', 'vae_approx', 'diffusion_models', 'unet']);

export interface ExtraModelFolder {
  readonly kind: string;
  readonly folder: string;
}

function expandHome(value: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
}

/** The model folders an extra_model_paths.yaml names; a missing file gives none, a malformed one a readable reason. */
export async function readExtraModelPaths(file: string): Promise<{ folders: ExtraModelFolder[]; error: string | null }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { folders: [], error: null };
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (cause) {
    return { folders: [], error: `${file} is not valid YAML: ${(cause as Error).message.split('\n')[0]}` };
  }
  if (document === null || typeof document !== 'object') return { folders: [], error: null };
  const folders: ExtraModelFolder[] = [];
  for (const section of Object.values(document as Record<string, unknown>)) {
    if (section === null || typeof section !== 'object') continue;
    const entries = section as Record<string, unknown>;
    const base = typeof entries['base_path'] === 'string' ? path.resolve(path.dirname(file), expandHome(entries['base_path'])) : path.dirname(file);
    for (const [kind, value] of Object.entries(entries)) {
      if (!MODEL_KINDS.has(kind) || typeof value !== 'string') continue;
      for (const line of value.split('\n').map((l) => l.trim()).filter((l) => l !== '')) folders.push({ kind, folder: path.resolve(base, expandHome(line)) });
    }
  }
  return { folders, error: null };
}
