// `faceid generate --faceid ADAPTER --character NAME_OR_ID`: FaceID tokens from a character of the studio library
// (FACEID_STUDIO_HOME): its stored face embeddings (its photos for FaceID-Plus), exactly as the app makes them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FaceIdChoice } from '../../src-preload/contract/generation.ts';
import type { Character } from '../../src-preload/contract/characters.ts';
import { FaceService } from '../app/face-service.ts';
import { StudioError } from '../base/errors.ts';
import type { IpConditioning } from '../engine/pipeline/diffuse.ts';
import { DATABASE_FILE_NAME, Library } from '../library/library.ts';

/** The character whose id is `nameOrId`, else whose name is (ignoring case); a typed error names the choices. */
export function findCharacter(library: Library, nameOrId: string): Character {
  const characters = library.characters.list();
  const byId = characters.find((c) => c.id === nameOrId);
  if (byId !== undefined) return byId;
  const byName = characters.filter((c) => c.name.toLowerCase() === nameOrId.trim().toLowerCase());
  if (byName.length === 1) return byName[0]!;
  const names = characters.map((c) => `"${c.name}" (${c.id})`).join(', ');
  throw new StudioError(byName.length > 1 ? 'invalid-request' : 'library.not-found', {
    userMessage: byName.length > 1 ? `${byName.length} characters are named "${nameOrId}".` : `The library in ${library.folder} has no character "${nameOrId}".`,
    hint: characters.length === 0 ? 'Create the character and add its photos in the studio first.' : `Name one by its id. Characters: ${names}.`,
  });
}

export async function characterFaceTokens(choice: FaceIdChoice, nameOrId: string, options: { faceModelsFolder: string; cacheDir: string; signal: AbortSignal; studioDir: string }): Promise<{ ip: IpConditioning; character: Character }> {
  const folder = options.studioDir;
  if (!existsSync(path.join(folder, DATABASE_FILE_NAME))) {
    throw new StudioError('library.not-found', {
      userMessage: `There is no studio library in ${folder}, so --character has no characters to choose from.`,
      hint: 'Set FACEID_STUDIO_HOME to the studio\'s library folder, or use --face IMG with photos instead.',
    });
  }
  const library = new Library(folder);
  const faces = new FaceService({ library, faceModelsFolder: options.faceModelsFolder, cacheDir: options.cacheDir });
  try {
    const character = findCharacter(library, nameOrId);
    const ip = await faces.conditioning({ ...choice, faces: [], characterId: character.id }, character.id, options.signal);
    return { ip, character };
  } finally {
    await faces.close();
    library.close();
  }
}
