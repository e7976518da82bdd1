// Where the studio looks for the face models and the CLIP tokenizer: the model manager's folders (ComfyUI names,
// where downloads land) in the studio's models folder and in each model root from Settings, plus the shorter
// layouts people use by hand (models/insightface, models/tokenizer). FACEID_FACE_MODELS, when set, is the only place.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isTokenizerFolder } from '../engine/text/tokenizer-folder.ts';
import type { Library } from '../library/library.ts';

/** Relative to a model root: the model manager's and ComfyUI's layout, hand-made ones, and an A1111 install given as the
 *  root (its models/insightface, and sd-webui-controlnet's annotator downloads, where its FaceID preprocessor puts them). */
const FACE_MODEL_SUBFOLDERS = [
  path.join('insightface', 'models', 'buffalo_l'),
  'insightface',
  'buffalo_l',
  path.join('models', 'insightface', 'models', 'buffalo_l'),
  path.join('extensions', 'sd-webui-controlnet', 'annotator', 'downloads', 'insightface', 'models', 'buffalo_l'),
];
const TOKENIZER_SUBFOLDERS = [path.join('tokenizer', 'clip-vit-large-patch14'), 'tokenizer'];

function modelRoots(library: Library): string[] {
  return [path.join(library.folder, 'models'), ...library.settings.get().modelFolders];
}

/** `faceModels`: FACEID_FACE_MODELS (app/environment.ts). */
export function faceModelFolders(library: Library, faceModels: string | undefined): () => string[] {
  if (faceModels) return () => [path.resolve(faceModels)];
  return () => modelRoots(library).flatMap((root) => FACE_MODEL_SUBFOLDERS.map((sub) => path.join(root, sub)));
}

/** The first CLIP tokenizer folder (vocab.json + merges.txt) among the model roots; without one the engine uses the app's own. */
export function findTokenizerFolder(library: Library): string | undefined {
  return modelRoots(library)
    .flatMap((root) => TOKENIZER_SUBFOLDERS.map((sub) => path.join(root, sub)))
    .find(isTokenizerFolder);
}

/** CLIP ViT-H image encoder for FaceID-Plus: ComfyUI's clip_vision file, or an HF image_encoder folder. */
const IMAGE_ENCODER_PLACES = [path.join('clip_vision', 'CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors'), 'image_encoder', path.join('clip_vision', 'image_encoder')];

export function findImageEncoder(library: Library): string | undefined {
  return modelRoots(library)
    .flatMap((root) => IMAGE_ENCODER_PLACES.map((place) => path.join(root, place)))
    .find((place) => existsSync(place.endsWith('.safetensors') ? place : path.join(place, 'model.safetensors')));
}
