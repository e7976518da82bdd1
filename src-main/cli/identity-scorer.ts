// Identity scores for the CLI's best-of-N and face-pass check: the character of the studio library (--character) or
// the FaceID photos (--face) as the identity, and the most similar face of each picture scored against it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FaceIdChoice } from '../../src-preload/contract/generation.ts';
import { FaceService } from '../app/face-service.ts';
import { StudioError } from '../base/errors.ts';
import { analyzeImage } from '../engine/face/analyze.ts';
import { characterEmbedding, identityScore } from '../engine/face/identity.ts';
import { loadFaceModels, releaseFaceModels } from '../engine/face/models.ts';
import { DATABASE_FILE_NAME, Library } from '../library/library.ts';
import { findCharacter } from './character-faceid.ts';

export interface IdentityScorer {
  /** Cosine similarity of the picture's most similar face; null when it shows none. */
  score(png: Uint8Array): Promise<number | null>;
  close(): Promise<void>;
}

/** The character's identity from the studio library, exactly as the studio computes it. */
async function libraryCharacterEmbedding(nameOrId: string, options: { faceModelsFolder: string; cacheDir: string; studioDir: string }): Promise<Float32Array> {
  if (!existsSync(path.join(options.studioDir, DATABASE_FILE_NAME))) {
    throw new StudioError('library.not-found', { userMessage: `There is no studio library in ${options.studioDir}, so --character has no characters to choose from.`, hint: 'Set FACEID_STUDIO_HOME to the studio\'s library folder.' });
  }
  const library = new Library(options.studioDir);
  const faces = new FaceService({ library, faceModelsFolder: options.faceModelsFolder, cacheDir: options.cacheDir });
  try {
    return await faces.characterEmbedding(findCharacter(library, nameOrId).id);
  } finally {
    await faces.close();
    library.close();
  }
}

export async function openIdentityScorer(faceid: Pick<FaceIdChoice, 'characterId' | 'faces'>, options: { faceModelsFolder: string; cacheDir: string; studioDir: string; signal: AbortSignal }): Promise<IdentityScorer> {
  const models = await loadFaceModels(options.faceModelsFolder);
  try {
    let identity: Float32Array;
    if (faceid.characterId !== undefined) identity = await libraryCharacterEmbedding(faceid.characterId, options);
    else {
      const embeddings: Float32Array[] = [];
      for (const file of faceid.faces) {
        const analysis = await analyzeImage(file, models, { signal: options.signal });
        const used = analysis.verdict.usedFace;
        if (used !== null) embeddings.push(analysis.faces[used]!.embedding);
      }
      identity = characterEmbedding(embeddings);
    }
    return {
      async score(png) {
        const score = identityScore(identity, (await analyzeImage(png, models, { signal: options.signal })).faces);
        return score.kind === 'face' ? score.score : null;
      },
      close: () => releaseFaceModels(models),
    };
  } catch (error) {
    await releaseFaceModels(models);
    throw error;
  }
}
