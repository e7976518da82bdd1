// FaceID tokens for a character: from the stored embeddings (FaceID, Portrait) they equal what the photos give;
// a Plus adapter goes back to the photos; a character without photos is a typed error.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FaceIdChoiceSchema } from '../../src-preload/contract/generation.ts';
import { StudioError } from '../base/errors.ts';
import { facePhotoPng, faceModelsFolder } from '../../test/helpers/face-fixtures.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { tempFolder, tempLibrary } from '../../test/helpers/temp-library.ts';
import { FaceService } from './face-service.ts';

test('character tokens from stored embeddings equal the tokens made from its photos; no photos is a typed error', async (t) => {
  const library = tempLibrary(t);
  const faces = new FaceService({ library, faceModelsFolder: faceModelsFolder(), cacheDir: path.join(tempFolder(t), 'compiled') });
  t.after(() => faces.close());
  const character = library.characters.create({ name: 'Ada', notes: '' });
  const photo = await facePhotoPng();
  // Added before any analysis: the stored path analyses it first.
  const reference = await library.addReference(character.id, 'ada.png', photo);
  const signal = new AbortController().signal;
  for (const adapter of ['ip-adapter-faceid_sd15_tiny.bin', 'ip-adapter-faceid-portrait_sd15_tiny.bin']) {
    const choice = FaceIdChoiceSchema.parse({ adapter: fixture('ipadapter-tiny', adapter), faceWeight: 0.7 });
    const stored = await faces.conditioning(choice, character.id, signal);
    assert.ok(library.references.get(reference.id).faceCount !== null, 'analysed on the way');
    const fromPhoto = await faces.conditioning({ ...choice, faces: [library.blobs.absolute(reference.original)] }, null, signal);
    assert.equal(stored.count, fromPhoto.count);
    assert.equal(stored.scale, 0.7);
    const worst = stored.cond.reduce((m, v, i) => Math.max(m, Math.abs(v - fromPhoto.cond[i]!)), 0);
    assert.ok(worst < 1e-5, `${adapter}: stored vs photo tokens differ by ${worst}`);
  }
  const empty = library.characters.create({ name: 'Nobody', notes: '' });
  await assert.rejects(
    faces.conditioning(FaceIdChoiceSchema.parse({ adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny.bin') }), empty.id, signal),
    (error: unknown) => error instanceof StudioError && error.code === 'face.no-references' && /Nobody/u.test(error.userMessage),
  );
});

test('FaceID-PlusV2 for a character: its photos and the image encoder found among the model roots; without one, a typed error', async (t) => {
  const library = tempLibrary(t);
  const cacheDir = path.join(tempFolder(t), 'compiled');
  let encoder: string | undefined;
  const faces = new FaceService({ library, faceModelsFolder: faceModelsFolder(), cacheDir, imageEncoder: () => encoder });
  t.after(() => faces.close());
  const character = library.characters.create({ name: 'Ada', notes: '' });
  await library.addReference(character.id, 'ada.png', await facePhotoPng());
  const choice = FaceIdChoiceSchema.parse({ adapter: fixture('ipadapter-tiny', 'ip-adapter-faceid-plusv2_sd15_tiny.safetensors') });
  const signal = new AbortController().signal;
  await assert.rejects(faces.conditioning(choice, character.id, signal, fixture('sd15-tiny')), (error: unknown) => error instanceof StudioError && error.code === 'generate.model-missing');
  encoder = fixture('ipadapter-tiny', 'image_encoder');
  const tokens = await faces.conditioning(choice, character.id, signal, fixture('sd15-tiny'));
  assert.equal(tokens.count, 4);
  assert.ok(tokens.cond.every(Number.isFinite) && tokens.uncond.every(Number.isFinite));
});
