// The face models and the tokenizer are found where the model manager puts them, in the short layouts people use by
// hand, and in the model roots from Settings (the image encoder too); FACEID_FACE_MODELS overrides the search.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../../test/helpers/fixtures.ts';
import { tempFolder, tempLibrary } from '../../test/helpers/temp-library.ts';
import { FaceService } from './face-service.ts';
import { faceModelFolders, findImageEncoder, findTokenizerFolder } from './model-places.ts';

test('face models and the tokenizer are found in the models folder and in Settings roots; the environment overrides', (t) => {
  const library = tempLibrary(t);
  const faces = new FaceService({ library, faceModelsFolder: faceModelFolders(library, undefined), cacheDir: tempFolder(t) });
  assert.equal(faces.installed(), false);
  assert.equal(faces.folder, path.join(library.folder, 'models', 'insightface', 'models', 'buffalo_l'), 'messages name where downloads go');
  assert.equal(findTokenizerFolder(library), undefined);

  cpSync(fixture('face', 'models'), path.join(library.folder, 'models', 'insightface'), { recursive: true });
  assert.equal(faces.installed(), true);
  assert.equal(faces.folder, path.join(library.folder, 'models', 'insightface'));

  const root = tempFolder(t);
  mkdirSync(path.join(root, 'tokenizer'), { recursive: true });
  cpSync(fixture('tokenizer'), path.join(root, 'tokenizer', 'clip-vit-large-patch14'), { recursive: true });
  library.settings.update({ modelFolders: [root] });
  assert.equal(findTokenizerFolder(library), path.join(root, 'tokenizer', 'clip-vit-large-patch14'));

  assert.equal(findImageEncoder(library), undefined);
  cpSync(fixture('ipadapter-tiny', 'image_encoder'), path.join(root, 'image_encoder'), { recursive: true });
  assert.equal(findImageEncoder(library), path.join(root, 'image_encoder'));

  assert.deepEqual(faceModelFolders(library, root)(), [root]);
});

test('an A1111 install given as a model root: the face models sd-webui-controlnet downloaded are found', (t) => {
  const library = tempLibrary(t);
  const webui = tempFolder(t);
  const downloads = path.join(webui, 'extensions', 'sd-webui-controlnet', 'annotator', 'downloads', 'insightface', 'models', 'buffalo_l');
  cpSync(fixture('face', 'models'), downloads, { recursive: true });
  library.settings.update({ modelFolders: [webui] });
  const faces = new FaceService({ library, faceModelsFolder: faceModelFolders(library, undefined), cacheDir: tempFolder(t) });
  assert.equal(faces.installed(), true);
  assert.equal(faces.folder, downloads);
});
