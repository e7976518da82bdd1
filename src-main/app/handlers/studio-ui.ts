// Handlers for the Studio UI's contract sections: style presets, gallery pages, token counts and queue order.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError } from '../../base/errors.ts';
import { detectFaces } from '../../engine/face/analyze.ts';
import { decodeReferenceImage } from '../../engine/face/decode-image.ts';
import { faceModelFiles, loadFaceModels, type FaceModels } from '../../engine/face/models.ts';
import { ClipTokenizer } from '../../engine/text/clip-tokenizer.ts';
import { isMediaPath } from '../../../src-preload/contract/media.ts';
import { tokenizePrompt } from '../../engine/text/prompt-chunks.ts';
import { stripExtraNetworks } from '../../engine/text/extra-networks.ts';
import { clipTokenizerFolder } from '../../engine/text/tokenizer-folder.ts';
import { sha256Hex } from '../../library/blob-store.ts';
import { GalleryQueries } from '../../library/gallery-query.ts';
import { PresetsRepository } from '../../library/presets-repository.ts';
import { QueueOrder } from '../../library/queue-order.ts';
import type { NamespaceHandlers, StudioServices } from './handler-types.ts';

export function presetsHandlers({ library }: StudioServices): NamespaceHandlers<'presets'> {
  const presets = new PresetsRepository(library.db);
  return {
    list: () => ({ presets: presets.list() }),
    save: (input) => presets.save(input),
    delete: ({ id }) => ({ deleted: presets.delete(id) }),
  };
}

export function galleryHandlers({ library }: StudioServices): NamespaceHandlers<'gallery'> {
  const gallery = new GalleryQueries(library.db);
  return {
    page: (query) => gallery.page(query),
    facets: () => gallery.facets(),
  };
}

export function queueHandlers({ library, events }: StudioServices): NamespaceHandlers<'queue'> {
  const order = new QueueOrder(library.db);
  return {
    list: ({ recentLimit }) => ({
      running: library.jobs.list({ states: ['running'], limit: 16 }),
      queued: order.queued(),
      recent: recentLimit === 0 ? [] : library.jobs.list({ states: ['done', 'failed', 'cancelled', 'interrupted'], limit: recentLimit }),
    }),
    move: ({ id, beforeId }) => {
      const queued = order.move(id, beforeId);
      const moved = queued.find((job) => job.id === id);
      if (moved !== undefined) events.emit('job.updated', { job: moved });
      return { queued };
    },
  };
}

export function promptsHandlers({ library }: StudioServices): NamespaceHandlers<'prompts'> {
  const tokenizers = new Map<string, Promise<ClipTokenizer>>();
  const tokenizerFor = (model: string | undefined): Promise<ClipTokenizer> => {
    // A diffusers folder carries tokenizer/; a single-file checkpoint may sit beside one; else the studio's own models
    // folder, else the app's own copy.
    const folder = clipTokenizerFolder([
      ...(model === undefined ? [] : [path.join(model, 'tokenizer'), path.join(path.dirname(model), 'tokenizer')]),
      path.join(library.folder, 'models', 'tokenizer'),
    ]);
    let tokenizer = tokenizers.get(folder);
    if (tokenizer === undefined) {
      tokenizer = ClipTokenizer.fromFolder(folder);
      tokenizers.set(folder, tokenizer);
      tokenizer.catch(() => tokenizers.delete(folder));
    }
    return tokenizer;
  };
  return {
    tokenCount: async ({ text, model }) => {
      // Counted as the text encoder gets the prompt: <lora:…> tags are not text.
      const { tokenCount, chunks } = tokenizePrompt(await tokenizerFor(model), stripExtraNetworks(text));
      return { tokens: tokenCount, chunks: Math.max(1, chunks.length) };
    },
  };
}

/** Masks are at most this many pixels a side (the largest image the studio generates is 2048). */
const MAX_MASK_SIDE = 4096;

/** Where the studio's models folder keeps insightface buffalo_l (as the model manager lays it out), or the folder itself. */
function faceModelsFolder(libraryFolder: string): string | undefined {
  const candidates = [path.join(libraryFolder, 'models', 'insightface', 'models', 'buffalo_l'), path.join(libraryFolder, 'models', 'insightface')];
  return candidates.find((folder) => faceModelFiles(folder).detector !== null);
}

export function masksHandlers({ library }: StudioServices): NamespaceHandlers<'masks'> {
  let faceModels: Promise<FaceModels> | undefined;
  return {
    faceBoxes: async ({ image }) => {
      if (!isMediaPath(image)) throw new StudioError('invalid-request', { userMessage: `${image} is not an image of the library.` });
      const folder = faceModelsFolder(library.folder);
      if (folder === undefined) {
        throw new StudioError('face.model-missing', {
          userMessage: 'Finding the face needs the insightface face detector (det_10g.onnx), which is not installed.',
          hint: `Get the face models in Models (or put buffalo_l in ${path.join(library.folder, 'models', 'insightface', 'models', 'buffalo_l')}), or paint the face by hand.`,
        });
      }
      faceModels ??= loadFaceModels(folder).catch((error: unknown) => {
        faceModels = undefined;
        throw error;
      });
      const decoded = await decodeReferenceImage(library.blobs.absolute(image));
      const { detections } = await detectFaces(decoded.image, await faceModels);
      return {
        width: decoded.image.width,
        height: decoded.image.height,
        faces: [...detections].sort((a, b) => b.score - a.score).map((d) => ({ box: [...d.box] as [number, number, number, number], score: d.score })),
      };
    },
    save: async ({ dataBase64 }) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      const metadata = await sharp(bytes)
        .metadata()
        .catch(() => undefined);
      if (metadata?.format !== 'png' || metadata.width === undefined || metadata.height === undefined) {
        throw new StudioError('image.unsupported-format', { userMessage: 'The inpaint mask is not a readable PNG image.', hint: 'Paint the mask again in the inpaint editor.' });
      }
      if (metadata.width > MAX_MASK_SIDE || metadata.height > MAX_MASK_SIDE) {
        throw new StudioError('image.too-large', { userMessage: `The inpaint mask is ${metadata.width}×${metadata.height}; masks may be at most ${MAX_MASK_SIDE} pixels a side.` });
      }
      const sha256 = sha256Hex(bytes);
      const image = `masks/${sha256.slice(0, 2)}/${sha256}.png`;
      library.blobs.write(image, bytes);
      return { image, width: metadata.width, height: metadata.height };
    },
  };
}
