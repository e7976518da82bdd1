// Characters and their reference photos.
import { Buffer } from 'node:buffer';
import type { FaceService } from '../face-service.ts';
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
      const added = await library.addReference(characterId, fileName, Buffer.from(dataBase64, 'base64'));
      // The photo is kept whatever the analysis says; without face models it stays unanalysed until they are installed.
      if (faces?.installed() === true) await analyzeQuietly(faces, added.id);
      events.emit('characters.changed', { characterId });
      return library.references.get(added.id);
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

/** Runs the face analysis of a reference; a failure is logged and leaves the photo unanalysed, never lost. */
async function analyzeQuietly(faces: FaceService, referenceId: string): Promise<void> {
  try {
    await faces.analyzeReference(referenceId);
  } catch (error) {
    console.error(`[faces] analysis of reference ${referenceId} failed:`, error);
  }
}
