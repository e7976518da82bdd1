// FaceID tokens on the tiny adapters (several references, structure weight, typed errors), and the projection
// graph built from the REAL files' shapes (manifests) for every SD1.5/SDXL variant, without weights.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { StudioError } from '../../base/errors.ts';
import { WeightMap } from '../graph/weight-map.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { buildFaceProjection, faceProjectionConfig } from './face-projection.ts';
import { loadFaceProjection, projectFaceTokens, releaseFaceProjection, type FaceProjection } from './face-tokens.ts';

let cacheDir = '';
const loaded: FaceProjection[] = [];
before(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'faceid-projection-'));
});
after(async () => {
  await Promise.all(loaded.map(releaseFaceProjection));
  await rm(cacheDir, { recursive: true, force: true });
});

async function load(name: string): Promise<FaceProjection> {
  const projection = await loadFaceProjection(fixture('ipadapter-tiny', name), { cacheDir });
  loaded.push(projection);
  return projection;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `index ${i}: ${actual[i]} vs ${expected[i]}`);
}

function unitVector(seed: number, length = 512): Float32Array {
  const v = Float32Array.from({ length }, (_, i) => Math.sin(seed * 7.1 + i * 0.37));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

test('FaceID: several references are averaged by default (4 tokens) or concatenated (4 per reference)', async () => {
  const projection = await load('ip-adapter-faceid_sd15_tiny.safetensors');
  const refs = [unitVector(1), unitVector(2), unitVector(3)];
  const average = await projectFaceTokens(projection, { embeddings: refs });
  assert.deepEqual(average.cond.shape, [1, 4, projection.config.dim]);
  assert.deepEqual(average.uncond.shape, average.cond.shape);
  const mean = refs[0]!.map((_, i) => (refs[0]![i]! + refs[1]![i]! + refs[2]![i]!) / 3);
  const ofMean = await projectFaceTokens(projection, { embeddings: [mean] });
  assertClose(average.cond.data, ofMean.cond.data);
  const concatenated = await projectFaceTokens(projection, { embeddings: refs, combine: 'concatenate' });
  assert.deepEqual(concatenated.cond.shape, [1, 12, projection.config.dim]);
  const second = await projectFaceTokens(projection, { embeddings: [refs[1]!] });
  const width = 4 * projection.config.dim;
  assertClose(concatenated.cond.data.subarray(width, 2 * width), second.cond.data);
  // The negative is the zero-ID projection, repeated so both CFG halves have the same token count.
  assertClose(concatenated.uncond.data.subarray(width, 2 * width), average.uncond.data);
});

test('PlusV2: structure 0 leaves the ID tokens; the structure weight changes the tokens; CLIP features are required', async () => {
  const projection = await load('ip-adapter-faceid-plusv2_sd15_tiny.bin');
  assert.equal(projection.variant, 'faceid-plusv2');
  const clipDim = projection.config.clipDim!;
  const clip = Float32Array.from({ length: 257 * clipDim }, (_, i) => Math.cos(i * 0.01));
  const base = { embeddings: [unitVector(4)], clipHidden: [clip], uncondClipHidden: new Float32Array(257 * clipDim) };
  const none = await projectFaceTokens(projection, { ...base, structure: 0 });
  const one = await projectFaceTokens(projection, { ...base, structure: 1 });
  const two = await projectFaceTokens(projection, { ...base, structure: 2 });
  // X + 2Y − (X + Y) = Y = (X + Y) − X
  for (let i = 0; i < one.cond.data.length; i++) assert.ok(Math.abs(two.cond.data[i]! - one.cond.data[i]! - (one.cond.data[i]! - none.cond.data[i]!)) < 1e-4);
  await assert.rejects(projectFaceTokens(projection, { embeddings: [unitVector(4)] }), (e: unknown) => e instanceof StudioError && /needs the CLIP image features/.test(e.userMessage));
});

test('Portrait: three references give 16 tokens each, in reference order', async () => {
  const projection = await load('ip-adapter-faceid-portrait_sd15_tiny.bin');
  const { cond } = await projectFaceTokens(projection, { embeddings: [unitVector(5), unitVector(6), unitVector(7)] });
  assert.deepEqual(cond.shape, [1, 48, projection.config.dim]);
});

test('a file that is not a FaceID adapter, and a wrong embedding width, are typed errors', async () => {
  await assert.rejects(loadFaceProjection(fixture('ipadapter-tiny', 'ip-adapter-faceid_sd15_tiny_lora.safetensors'), { cacheDir }), (e: unknown) => e instanceof StudioError);
  const projection = await load('ip-adapter-faceid_sd15_tiny.bin');
  await assert.rejects(projectFaceTokens(projection, { embeddings: [new Float32Array(128)] }), (e: unknown) => e instanceof StudioError && e.code === 'generate.invalid-parameter');
  await assert.rejects(projectFaceTokens(projection, { embeddings: [] }), (e: unknown) => e instanceof StudioError && e.code === 'face.no-references');
});

test('the real files\' shapes (SD1.5 and SDXL) give the expected projection configs and graphs', async () => {
  const manifest = JSON.parse(await readFile(fixture('manifests', 'ipadapter_faceid_bins.json'), 'utf8')) as Record<string, { tensors?: Record<string, { shape: number[]; dtype: string }> }>;
  const expected: Record<string, [string, number, number]> = {
    'ip-adapter-faceid_sd15.bin': ['mlp', 4, 768],
    'ip-adapter-faceid-plusv2_sd15.bin': ['plus', 4, 768],
    'ip-adapter-faceid-portrait_sd15.bin': ['mlp', 16, 768],
    'ip-adapter-faceid_sdxl.bin': ['mlp', 4, 2048],
    'ip-adapter-faceid-plusv2_sdxl.bin': ['plus', 4, 2048],
    'ip-adapter-faceid-portrait_sdxl.bin': ['mlp', 16, 2048],
  };
  for (const [file, [kind, tokens, dim]] of Object.entries(expected)) {
    const tensors = new Map<string, TensorDescriptor>();
    for (const [name, t] of Object.entries(manifest[file]!.tensors!)) {
      if (name.startsWith('image_proj.')) tensors.set(name, { name, dtype: 'F16', shape: t.shape, file: '/nonexistent', offset: 0, byteLength: 2 * t.shape.reduce((a, b) => a * b, 1) });
    }
    const config = faceProjectionConfig(new WeightMap(tensors, file));
    assert.deepEqual([config.kind, config.tokens, config.dim], [kind, tokens, dim], file);
    if (kind === 'plus') assert.deepEqual([config.clipDim, config.depth], [1280, 4], file);
    const graph = buildFaceProjection(new WeightMap(tensors, file), config);
    assert.deepEqual(graph.outputNames(), ['ip_tokens']);
  }
});
