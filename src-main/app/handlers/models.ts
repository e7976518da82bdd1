// Model files found in the studio's models folder and the user's model roots. Identification by content belongs
// to the model manager; until it runs, every file is listed as `unidentified` with its size.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Model } from '../../../src-preload/contract/models.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';
import { modelManagerHandlers } from './model-manager.ts';

const MODEL_EXTENSIONS = new Set(['.safetensors', '.ckpt', '.bin', '.pt', '.pth', '.onnx']);
/** ComfyUI and A1111 keep models at most a few folders deep; the cap keeps a mis-set root (say, /) cheap. */
const MAX_DEPTH = 6;
const MAX_FILES = 5000;

export function modelsHandlers(services: StudioServices): NamespaceHandlers<'models'> {
  const { library } = services;
  return {
    ...modelManagerHandlers(services),
    list: async () => {
      const roots = [path.join(library.folder, 'models'), ...library.settings.get().modelFolders];
      const models: Model[] = [];
      for (const root of roots) await collectModelFiles(root, root, 0, models);
      return { models };
    },
  };
}

async function collectModelFiles(root: string, folder: string, depth: number, into: Model[]): Promise<void> {
  if (depth > MAX_DEPTH || into.length >= MAX_FILES) return;
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return; // a root that does not exist (yet) or cannot be read simply holds no models
  }
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) await collectModelFiles(root, full, depth + 1, into);
    else if (entry.isFile() && MODEL_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) && into.length < MAX_FILES) {
      const { size } = await stat(full);
      into.push({ path: full, name: entry.name, kind: 'unidentified', sizeBytes: size, root });
    }
  }
}
