// Settings, and what the renderer needs to know about this studio (version, library folder).
import os from 'node:os';
import { compactWeightsFor } from '../engine-settings.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function settingsHandlers({ library, engine }: StudioServices): NamespaceHandlers<'settings'> {
  return {
    get: () => library.settings.get(),
    update: (changes) => {
      const settings = library.settings.update(changes);
      engine?.applySettings?.(settings);
      return settings;
    },
  };
}

export function appHandlers({ library, version }: StudioServices): NamespaceHandlers<'app'> {
  return {
    info: () => ({ version, libraryFolder: library.folder, totalMemoryBytes: os.totalmem(), autoModelMemory: compactWeightsFor('auto').compactFromBytes === undefined ? 'compact' : 'fast' }),
  };
}
