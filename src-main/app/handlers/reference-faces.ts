// Wiring: the faces of reference photos and the character's identity indicator, served from the face service.
// Without face models the photos stay as they are, and the answer says what is missing and how to get it.
import type { CharacterIdentity, ReferenceFaces } from '../../../src-preload/contract/characters.ts';
import { StudioError } from '../../base/errors.ts';
import type { Library } from '../../library/library.ts';
import type { FaceService } from '../face-service.ts';

const MODELS_MISSING = (faces: FaceService | undefined) => ({
  message: `The face models are not installed${faces === undefined ? '' : ` (looked in ${faces.folder})`}, so faces in the photos cannot be found yet.`,
  hint: 'Get "Face analysis" (InsightFace det_10g and w600k_r50) in Models; the photos are analysed as soon as they are there.',
});

/** The faces of a reference; analysed first when it has not been and the models are there. */
export async function referenceFaces(library: Library, faces: FaceService | undefined, referenceId: string): Promise<ReferenceFaces> {
  const reference = library.references.get(referenceId);
  const chosenFace = library.references.chosenFace(referenceId);
  if (reference.faceCount === null) {
    if (faces === undefined || !faces.installed()) return { state: 'face-models-missing', faces: [], chosenFace, ...MODELS_MISSING(faces) };
    try {
      await faces.analyzeReference(referenceId);
    } catch (error) {
      const known = error instanceof StudioError ? error : undefined;
      return { state: 'failed', faces: [], chosenFace, message: known?.userMessage ?? `The face analysis of ${reference.fileName} failed.`, ...(known?.hint ? { hint: known.hint } : {}) };
    }
  }
  const stored = library.faces.listForReference(referenceId);
  return { state: 'analysed', faces: stored.map((face) => ({ index: face.faceIndex, box: face.box, score: face.detectionScore })), chosenFace };
}

export async function chooseFace(library: Library, faces: FaceService | undefined, referenceId: string, faceIndex: number | null): Promise<ReferenceFaces> {
  const current = await referenceFaces(library, faces, referenceId);
  if (faceIndex !== null && faceIndex >= current.faces.length) {
    throw new StudioError('face.index-out-of-range', {
      userMessage: current.faces.length === 0 ? 'No face has been found in this photo, so none can be chosen.' : `This photo has ${current.faces.length} face(s); face ${faceIndex + 1} does not exist.`,
      hint: 'Choose one of the faces marked on the photo.',
    });
  }
  library.references.setChosenFace(referenceId, faceIndex);
  return { ...current, chosenFace: faceIndex };
}

export async function characterIdentity(library: Library, faces: FaceService | undefined, characterId: string): Promise<CharacterIdentity> {
  const references = library.references.listForCharacter(characterId);
  const referenceCount = references.length;
  if (faces === undefined || !faces.installed()) return { state: 'face-models-missing', referenceCount, facesUsed: 0, ...MODELS_MISSING(faces) };
  // Photos added before the models were installed are analysed now.
  for (const reference of references) if (reference.faceCount === null) await referenceFaces(library, faces, reference.id);
  const facesUsed = await faces.facesInIdentity(characterId);
  if (facesUsed === 0) {
    return {
      state: 'no-faces', referenceCount, facesUsed,
      message: referenceCount === 0 ? 'This character has no reference photos yet.' : 'No face was found in this character\'s photos.',
      hint: 'Add a photo where the face is clearly visible, facing the camera, at least 112 px wide.',
    };
  }
  return { state: 'ready', referenceCount, facesUsed };
}
