// Model files found in the studio's models folder and the user's model roots, identified by content by the model
// manager's scan (cached, so a rescan reads only changed files); a diffusers folder is one model.
import path from 'node:path';
import { modelName } from '../../../src-preload/contract/model-names.ts';
import { MODEL_KINDS, type Model } from '../../../src-preload/contract/models.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';
import { modelManagerHandlers, studioModelManager } from './model-manager.ts';

const CONTRACT_KINDS: ReadonlySet<string> = new Set(MODEL_KINDS);
/** Files the scan could not identify are still listed when they look like model files (the user may know better). */
const MODEL_EXTENSIONS = new Set(['.safetensors', '.ckpt', '.bin', '.pt', '.pth', '.onnx']);

export function modelsHandlers(services: StudioServices): NamespaceHandlers<'models'> {
  const manager = services.models ?? studioModelManager(services.library.folder, services.proxy);
  const managerHandlers = modelManagerHandlers({ ...services, models: manager });
  return {
    ...managerHandlers,
    list: async () => {
      managerHandlers.syncRoots();
      const scan = await manager.scan();
      // Parts of models the studio does not pick on their own (a VAE, a diffusers component, configs) are left out.
      const listed = scan.files.filter((file) => (file.identity === null ? MODEL_EXTENSIONS.has(path.extname(file.path).toLowerCase()) : CONTRACT_KINDS.has(file.identity.kind)));
      const models: Model[] = listed.map((file) => ({
        path: file.path,
        name: file.identity?.kind === 'controlnet' || file.identity?.kind === 't2i-adapter' ? modelName(file.path) : path.basename(file.path),
        kind: file.identity === null ? 'unidentified' : (file.identity.kind as Model['kind']),
        base: file.identity?.base ?? null,
        isFullSize: file.identity?.isFullSize ?? null,
        sizeBytes: file.sizeBytes,
        root: file.root,
      }));
      return { models };
    },
    findByHash: async ({ hash }) => ({ path: (await services.fileHashes?.fileWithModelHash(hash)) ?? null }),
  };
}
