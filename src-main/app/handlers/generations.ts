// Generations (the gallery) and jobs (the queue). The engine takes queued jobs from the library.
import path from 'node:path';
import type { Generation } from '../../../src-preload/contract/generations.ts';
import { variantOfFile } from '../../../src-preload/contract/model-names.ts';
import { StudioError } from '../../base/errors.ts';
import { comfyWorkflow } from '../comfy-workflow.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

/** The reference photos a FaceID generation used, by file name: its own photos, else its character's. */
function facePhotoNames(library: StudioServices['library'], generation: Generation): string[] {
  const faceid = generation.params.faceid;
  if (faceid === undefined) return [];
  if (faceid.faces.length > 0) return faceid.faces.map((face) => path.basename(face));
  const characterId = generation.characterId ?? faceid.characterId;
  return characterId === undefined || characterId === null ? [] : library.references.listForCharacter(characterId).map((r) => r.fileName);
}

export function generationsHandlers({ library }: StudioServices): NamespaceHandlers<'generations'> {
  return {
    comfyWorkflow: ({ id }) => {
      const generation = library.generations.get(id);
      const adapter = generation.params.faceid?.adapter;
      const variant = adapter === undefined ? undefined : variantOfFile(path.basename(adapter));
      return comfyWorkflow(generation.params, { seed: generation.seed, ...(variant === undefined ? {} : { variant }), facePhotos: facePhotoNames(library, generation) });
    },
    list: (filter) => library.generations.list(filter),
    get: ({ id }) => library.generations.get(id),
    setFavorite: ({ id, favorite }) => library.generations.setFavorite(id, favorite),
    delete: ({ ids }) => ({ deleted: library.deleteGenerations(ids) }),
  };
}

export function jobsHandlers({ library, events, engine }: StudioServices): NamespaceHandlers<'jobs'> {
  return {
    list: ({ states, limit }) => ({ jobs: library.jobs.list({ states, limit }) }),
    get: ({ id }) => library.jobs.get(id),
    enqueue: ({ params, characterId, parentId }) => {
      if (characterId !== undefined) library.characters.get(characterId);
      if (parentId !== undefined) library.generations.get(parentId);
      const job = library.jobs.enqueue({ params, characterId, parentId });
      events.emit('job.updated', { job });
      engine?.wake();
      return job;
    },
    retry: ({ id }) => {
      const ended = library.jobs.get(id);
      if (ended.state === 'queued' || ended.state === 'running') {
        throw new StudioError('invalid-request', { userMessage: `This job is ${ended.state}; only an ended job can be run again.` });
      }
      const job = library.jobs.enqueue({ params: ended.params, characterId: ended.characterId ?? undefined, parentId: ended.parentId ?? undefined });
      events.emit('job.updated', { job });
      engine?.wake();
      return job;
    },
    cancel: ({ id }) => {
      const current = library.jobs.get(id);
      if (current.state === 'running' && engine !== undefined) {
        // The engine stops at the next step and records the job as cancelled itself.
        engine.cancel(id);
        return current;
      }
      if (current.state !== 'queued' && current.state !== 'running') {
        throw new StudioError('invalid-request', { userMessage: `This job has already ended (${current.state}); there is nothing to cancel.` });
      }
      const job = library.jobs.finish(id, 'cancelled');
      events.emit('job.updated', { job });
      return job;
    },
  };
}
