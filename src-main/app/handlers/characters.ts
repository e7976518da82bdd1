// Characters and their reference photos.
import { Buffer } from 'node:buffer';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function charactersHandlers({ library, events }: StudioServices): NamespaceHandlers<'characters'> {
  return {
    list: () => ({ characters: library.characters.list() }),
    get: ({ id }) => ({ character: library.characters.get(id), references: library.references.listForCharacter(id) }),
    create: (request) => {
      const character = library.characters.create(request);
      events.emit('characters.changed', { characterId: character.id });
      return character;
    },
    update: ({ id, ...changes }) => {
      const character = library.characters.update(id, changes);
      events.emit('characters.changed', { characterId: id });
      return character;
    },
    delete: ({ id, keepGeneratedImages }) => {
      const result = library.deleteCharacter(id, keepGeneratedImages);
      events.emit('characters.changed', { characterId: id });
      return result;
    },
  };
}

export function referencesHandlers({ library, events }: StudioServices): NamespaceHandlers<'references'> {
  return {
    list: ({ characterId }) => {
      library.characters.get(characterId);
      return { references: library.references.listForCharacter(characterId) };
    },
    add: async ({ characterId, fileName, dataBase64 }) => {
      const reference = await library.addReference(characterId, fileName, Buffer.from(dataBase64, 'base64'));
      events.emit('characters.changed', { characterId });
      return reference;
    },
    remove: ({ id }) => {
      const reference = library.removeReference(id);
      events.emit('characters.changed', { characterId: reference.characterId });
      return { removed: true };
    },
  };
}
