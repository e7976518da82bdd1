// Characters and their reference photos.
import { Buffer } from 'node:buffer';
import { characterIdentity, chooseFace, referenceFaces } from './reference-faces.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function charactersHandlers({ library, events, faces }: StudioServices): NamespaceHandlers<'characters'> {
  return {
    identity: ({ id }) => {
      library.characters.get(id);
      return characterIdentity(library, faces, id);
    },
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

export function referencesHandlers({ library, events, faces }: StudioServices): NamespaceHandlers<'references'> {
  return {
    list: ({ characterId }) => {
      library.characters.get(characterId);
      return { references: library.references.listForCharacter(characterId) };
    },
    add: async ({ characterId, fileName, dataBase64 }) => {
      const reference = await library.addReference(characterId, fileName, Buffer.from(dataBase64, 'base64'));
      events.emit('characters.changed', { characterId });
      // Faces are found in the background (the photo shows at once); without face models the photo stays unanalysed
      // until they are installed. A failed analysis is logged and leaves the photo as it is, never lost.
      if (faces?.installed() === true) {
        faces.analyzeReference(reference.id).then(
          () => events.emit('characters.changed', { characterId }),
          (error: unknown) => console.error(`[faces] analysis of reference ${reference.id} failed:`, error),
        );
      }
      return reference;
    },
    remove: ({ id }) => {
      const reference = library.removeReference(id);
      events.emit('characters.changed', { characterId: reference.characterId });
      return { removed: true };
    },
    faces: ({ id }) => referenceFaces(library, faces, id),
    chooseFace: async ({ id, faceIndex }) => {
      const result = await chooseFace(library, faces, id, faceIndex);
      events.emit('characters.changed', { characterId: library.references.get(id).characterId });
      return result;
    },
  };
}

