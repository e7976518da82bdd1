// Textual-inversion embeddings on the tiny encoders. The reference: an embedding whose vectors are the token
// embeddings of some words must encode exactly as those words do (its vectors took those positions, before the
// position embeddings, with the piece's emphasis). Files are built here in A1111's forms — a .pt with
// string_to_param, a .safetensors with emb_params, SDXL's clip_l/clip_g pair — at the widths the fixtures have.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { a1111EmbeddingPt } from '../../../test/helpers/torch-archive.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { writeSafetensorsFile } from '../../../test/helpers/write-safetensors.ts';
import { readTensorFloat32 } from '../io/descriptors.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { readTextualInversion } from '../io/textual-inversion.ts';
import { recipeOf } from '../models/architectures.ts';
import { compileModel } from '../models/compile.ts';
import { SessionPool } from '../onnx/session-pool.ts';
import { ClipTokenizer } from '../text/clip-tokenizer.ts';
import { encodePromptPair, type ConditioningPair, type PromptEncoder } from './conditioning.ts';
import { createOrtRunners } from './ort-runners.ts';

let work: string;
const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: [] });
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'textual-inversion-'));
});
after(async () => {
  await pool.releaseAll();
  await rm(work, { recursive: true, force: true });
});

interface TinyModel {
  readonly encoders: PromptEncoder[];
  /** Each encoder's token embedding rows of `words`, [tokens, width] row-major. */
  rows(words: string): Promise<Float32Array[]>;
}

async function tinyModel(folder: string): Promise<TinyModel> {
  const compiled = await compileModel(folder, { cacheDir: path.join(work, 'compiled') });
  const recipe = recipeOf(compiled.architecture);
  const runners = createOrtRunners(pool, compiled, { textEncoders: recipe.textEncoders.map((r) => ({ recipe: r })), loraStrengths: [] });
  const encoders = await Promise.all(
    recipe.textEncoders.map(async (r, i) => ({ tokenizer: await ClipTokenizer.fromFolder(path.join(folder, r.tokenizer), r.padToken === '!' ? '!' : undefined), runner: runners.textEncoders[i]!, textualInversionKey: r.textualInversionKey })),
  );
  return {
    encoders,
    rows: (words) =>
      Promise.all(
        recipe.textEncoders.map(async (r, i) => {
          const table = (await readSafetensors(path.join(folder, r.component, 'model.safetensors'))).tensors.get('text_model.embeddings.token_embedding.weight')!;
          const width = table.shape[1]!;
          const all = await readTensorFloat32(table);
          const ids = encoders[i]!.tokenizer.encode(words);
          const rows = new Float32Array(ids.length * width);
          ids.forEach((id, k) => rows.set(all.subarray(id * width, (id + 1) * width), k * width));
          return rows;
        }),
      ),
  };
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= 1e-5, `${what}: max abs difference ${worst}`);
}

function differs(a: Float32Array, b: Float32Array): boolean {
  return a.length !== b.length || a.some((v, i) => Math.abs(v - b[i]!) > 1e-4);
}

function assertSamePair(actual: ConditioningPair, expected: ConditioningPair, what: string): void {
  assertClose(actual.cond.embeddings, expected.cond.embeddings, `${what} cond`);
  assertClose(actual.uncond.embeddings, expected.uncond.embeddings, `${what} uncond`);
  if (expected.cond.pooled) assertClose(actual.cond.pooled!, expected.cond.pooled, `${what} pooled`);
}

test('SD1.5: an embedding (.pt with string_to_param, .safetensors with emb_params) encodes as the words whose vectors it holds', async () => {
  const folder = fixture('sd15-tiny');
  const model = await tinyModel(folder);
  const [vectors] = await model.rows('red cat');
  const width = model.encoders[0]!.runner.hiddenSize;
  const ptFile = path.join(work, 'tinystyle.pt');
  await writeFile(ptFile, a1111EmbeddingPt('tinystyle', vectors!, width));
  const stFile = path.join(work, 'glowpaint.safetensors');
  await writeSafetensorsFile(stFile, { emb_params: { dtype: 'F32', shape: [vectors!.length / width, width], data: [...vectors!] } });
  const pt = await readTextualInversion(ptFile);
  const st = await readTextualInversion(stFile);
  assert.deepEqual([pt.name, pt.count, st.name, st.count], ['tinystyle', 2, 'glowpaint', 2]);

  const options = { clipSkip: 1, embeddings: [pt, st] };
  const withWords = await encodePromptPair(model.encoders, 'a photo of (red cat:1.3), best quality', 'lowres, red cat', { clipSkip: 1 });
  const withEmbedding = await encodePromptPair(model.encoders, 'a photo of (tinystyle:1.3), best quality', 'lowres, tinystyle', options);
  assertSamePair(withEmbedding, withWords, '.pt embedding with emphasis');
  assert.deepEqual(withEmbedding.embeddingsUsed, ['tinystyle']);

  // ComfyUI's form, with or without the extension.
  const comfy = await encodePromptPair(model.encoders, 'a photo of embedding:glowpaint.safetensors', 'embedding:glowpaint', options);
  assertSamePair(comfy, await encodePromptPair(model.encoders, 'a photo of red cat', 'red cat', { clipSkip: 1 }), 'ComfyUI embedding:name');

  // The name alone, without embeddings offered, is just words — and those encode differently.
  const asWords = await encodePromptPair(model.encoders, 'a photo of (tinystyle:1.3), best quality', 'lowres, tinystyle', { clipSkip: 1 });
  assert.ok(differs(asWords.cond.embeddings, withEmbedding.cond.embeddings), 'the embedding changes the conditioning');
  assert.deepEqual(asWords.embeddingsUsed, []);
  const unknownComfy = await encodePromptPair(model.encoders, 'embedding:nosuchthing', '', options);
  assertSamePair(unknownComfy, await encodePromptPair(model.encoders, 'embedding:nosuchthing', '', { clipSkip: 1 }), 'an unknown embedding:name stays text');
});

test('SDXL: a clip_l/clip_g embedding gives each encoder its own vectors (pooled too); an SD1.5 embedding stays words there', async () => {
  const folder = fixture('sdxl', 'sdxl-tiny');
  const model = await tinyModel(folder);
  const [clipL, clipG] = await model.rows('golden hour');
  const [widthL, widthG] = model.encoders.map((e) => e.runner.hiddenSize) as [number, number];
  const count = clipL!.length / widthL;
  const file = path.join(work, 'xlwarm.safetensors');
  await writeSafetensorsFile(file, { clip_l: { dtype: 'F32', shape: [count, widthL], data: [...clipL!] }, clip_g: { dtype: 'F32', shape: [count, widthG], data: [...clipG!] } });
  const sdxl = await readTextualInversion(file);
  assert.equal(sdxl.count, count);
  const withEmbedding = await encodePromptPair(model.encoders, 'portrait, (xlwarm:0.8)', 'xlwarm', { clipSkip: 1, zerosForEmptyNegative: true, embeddings: [sdxl] });
  const withWords = await encodePromptPair(model.encoders, 'portrait, (golden hour:0.8)', 'golden hour', { clipSkip: 1, zerosForEmptyNegative: true });
  assertSamePair(withEmbedding, withWords, 'clip_l/clip_g embedding');
  assert.deepEqual(withEmbedding.embeddingsUsed, ['xlwarm']);

  const sd15File = path.join(work, 'xlwarmsd.safetensors');
  await writeSafetensorsFile(sd15File, { emb_params: { dtype: 'F32', shape: [count, widthL], data: [...clipL!] } });
  const other = await encodePromptPair(model.encoders, 'portrait, xlwarmsd', '', { clipSkip: 1, zerosForEmptyNegative: true, embeddings: [await readTextualInversion(sd15File)] });
  assertSamePair(other, await encodePromptPair(model.encoders, 'portrait, xlwarmsd', '', { clipSkip: 1, zerosForEmptyNegative: true }), 'an SD1.5 embedding on SDXL');
  assert.deepEqual(other.embeddingsUsed, []);
});

test('a file that is no embedding is refused with the reason', async () => {
  const file = path.join(work, 'notanembedding.safetensors');
  await writeSafetensorsFile(file, { 'a.weight': { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] }, 'b.weight': { dtype: 'F32', shape: [2], data: [1, 2] } });
  await assert.rejects(readTextualInversion(file), (error: Error & { code?: string }) => error.code === 'checkpoint.wrong-kind' && /not a textual-inversion embedding/u.test(error.message));
});
