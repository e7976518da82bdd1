// `faceid generate --embeddings-dir`: a textual-inversion name in the prompt makes the same picture as the words
// whose token vectors the embedding holds, and the PNG names it under `TI hashes` with A1111's hash (sha256[:12] of
// the file); without the folder the name is words and the picture differs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseA1111Parameters } from '../../src-preload/contract/a1111-parameters.ts';
import { readTensorFloat32 } from '../engine/io/descriptors.ts';
import { readSafetensors } from '../engine/io/safetensors.ts';
import { ClipTokenizer } from '../engine/text/clip-tokenizer.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { cliPicture } from '../../test/helpers/cli-picture.ts';
import { writeSafetensorsFile } from '../../test/helpers/write-safetensors.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'faceid-generate-embeddings-'));
process.env['FACEID_COMPILED_DIR'] = path.join(work, 'compiled');
after(() => rmSync(work, { recursive: true, force: true }));

const base = ['generate', '--model', fixture('sd15-tiny'), '--negative', 'lowres', '--steps', '2', '--size', '64x64', '--seed', '5', '--sampler', 'DDIM'];

function picture(name: string, extra: readonly string[]): Promise<{ pixels: Buffer; parameters: string }> {
  return cliPicture(work, name, [...base, ...extra]);
}

test('an embedding in the prompt equals its words, and the PNG carries TI hashes', async () => {
  const model = fixture('sd15-tiny');
  const tokenizer = await ClipTokenizer.fromFolder(path.join(model, 'tokenizer'));
  const table = (await readSafetensors(path.join(model, 'text_encoder', 'model.safetensors'))).tensors.get('text_model.embeddings.token_embedding.weight')!;
  const width = table.shape[1]!;
  const all = await readTensorFloat32(table);
  const ids = tokenizer.encode('stormy sea');
  const folder = path.join(work, 'embeddings', 'styles');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'moodyocean.safetensors');
  await writeSafetensorsFile(file, { emb_params: { dtype: 'F32', shape: [ids.length, width], data: ids.flatMap((id) => [...all.subarray(id * width, (id + 1) * width)]) } });

  const words = await picture('words', ['--prompt', 'a lighthouse, stormy sea']);
  const embedded = await picture('embedded', ['--prompt', 'a lighthouse, moodyocean', '--embeddings-dir', path.join(work, 'embeddings')]);
  const plain = await picture('plain', ['--prompt', 'a lighthouse, moodyocean']);
  assert.deepEqual(embedded.pixels, words.pixels, 'the embedding makes the picture of its words');
  assert.notDeepEqual(plain.pixels, embedded.pixels, 'without the folder the name is words');

  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
  assert.equal(parseA1111Parameters(embedded.parameters).raw['TI hashes'], `moodyocean: ${hash}`);
  assert.ok(!plain.parameters.includes('TI hashes'), plain.parameters);
});
