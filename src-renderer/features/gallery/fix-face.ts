// The gallery's "Fix face" action as a job: the face detail pass on a picture the library already has.
import type { GenerationParamsInput } from '../../../src-preload/contract/generation.ts';
import type { Generation } from '../../../src-preload/contract/generations.ts';

/**
 * The job that repaints this picture's faces with its character's FaceID ("Fix face"): its own settings, the picture
 * itself as the source, and the picture as the parent of the result. Only for a picture made with a character.
 */
export function fixFaceJob(generation: Generation): { params: GenerationParamsInput; characterId?: string; parentId: string } | undefined {
  const { hires: _hires, img2img: _img2img, inpaint: _inpaint, bestOf: _bestOf, faceDetail, ...params } = generation.params;
  const characterId = generation.characterId ?? params.faceid?.characterId;
  if (params.faceid === undefined || characterId === undefined) return undefined;
  return {
    params: { ...params, seed: generation.seed, batchSize: 1, faceDetail: { ...(faceDetail ?? {}), sourceImage: generation.image } },
    characterId,
    parentId: generation.id,
  };
}
