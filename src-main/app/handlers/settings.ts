// Settings, and what the renderer needs to know about this studio (version, library folder).
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function settingsHandlers({ library }: StudioServices): NamespaceHandlers<'settings'> {
  return {
    get: () => library.settings.get(),
    update: (changes) => library.settings.update(changes),
  };
}

export function appHandlers({ library, version }: StudioServices): NamespaceHandlers<'app'> {
  return {
    info: () => ({ version, libraryFolder: library.folder }),
  };
}
