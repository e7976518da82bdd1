import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixture } from '../../../test/helpers/fixtures.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { TorchCpuGenerator } from '../noise/torch-generator.ts';
import { compileModel } from '../models/compile.ts';
import { textEncoderFeeds } from '../pipeline/ort-runners.ts';
import { decodeModel, OnnxDataType } from './onnx-proto.ts';

/**
 * fp16 compute against fp32 on the tiny fixture UNet (fp16 weights, so only the arithmetic differs): the largest
 * difference, over the fp32 output's standard deviation. fp16 keeps 11 significant bits (relative step 2⁻¹¹ ≈ 4.9e-4);
 * a few layers of accumulated rounding stay well under 1 %. Measured on this fixture: UNet 3.2e-3, text encoder
 * 1.9e-3; with the timestep sinusoids computed in fp16 as well (sin(999·f) off by up to 0.25 rad), the UNet is at
 * 9.2e-2 — so this bound catches fp32 lost where diffusers keeps it.
 */
const MAX_DIFF_OVER_STD = 0.01;

interface Node {
  opType: string;
  input?: string[];
  output?: string[];
  attribute?: { name: string; i?: number }[];
}

function nodesOf(bytes: Uint8Array): Node[] {
  return ((decodeModel(bytes) as { graph: { node: Node[] } }).graph.node ?? []) as Node[];
}

async function compileBoth(t: Parameters<typeof tempFolder>[0]) {
  const configs: Record<string, Record<string, unknown>> = {};
  for (const component of ['unet', 'vae', 'text_encoder']) configs[component] = JSON.parse(await readFile(fixture('sd15-tiny', component, 'config.json'), 'utf8')) as Record<string, unknown>;
  const cacheDir = tempFolder(t);
  const checkpoint = fixture('sd15-tiny.fp16.safetensors');
  // fp16 compute keeps the unfused attention, so the fp32 reference is compiled the same way (only the arithmetic differs).
  const fp32 = await compileModel(checkpoint, { cacheDir, configs, attention: 'unfused' });
  const fp16 = await compileModel(checkpoint, { cacheDir, configs, compute: 'fp16' });
  return { fp32, fp16 };
}

function normal(count: number, seed: number): Float32Array {
  return new TorchCpuGenerator(seed).randn([count]);
}

async function run(file: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  try {
    const output = await session.run(feeds);
    const first = output[session.outputNames[0]!]!;
    assert.equal(first.type, 'float32', 'outputs stay fp32');
    return first.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxDiffOverStd(reference: Float32Array, candidate: Float32Array): number {
  const mean = reference.reduce((a, b) => a + b, 0) / reference.length;
  const std = Math.sqrt(reference.reduce((a, b) => a + (b - mean) ** 2, 0) / reference.length);
  let max = 0;
  for (let i = 0; i < reference.length; i++) max = Math.max(max, Math.abs(reference[i]! - candidate[i]!));
  return max / std;
}

test('fp16 compute: weights and activations fp16; softmax, GroupNorm and the timestep sinusoids fp32; the VAE untouched; outputs fp32 and close to fp32 compute', async (t) => {
  const { fp32, fp16 } = await compileBoth(t);
  assert.notEqual(fp16.dir, fp32.dir, 'both compilations are kept');

  const unetNodes = nodesOf(await readFile(fp16.unet.path));
  const producer = new Map(unetNodes.flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
  const castTo = (value: string | undefined) => (value ? producer.get(value) : undefined)?.attribute?.find((a) => a.name === 'to')?.i;
  for (const op of ['Softmax', 'GroupNormalization']) {
    const nodes = unetNodes.filter((n) => n.opType === op);
    assert.ok(nodes.length > 0, op);
    for (const node of nodes) assert.equal(castTo(node.input?.[0]), OnnxDataType.float, `${op} reads fp32`);
  }
  for (const node of unetNodes.filter((n) => n.opType === 'Conv' || n.opType === 'MatMul')) {
    assert.notEqual(castTo(node.input?.[0]), OnnxDataType.float, `${node.opType} does not read an fp32 cast`);
  }
  for (const node of unetNodes.filter((n) => n.opType === 'Sin' || n.opType === 'Cos')) assert.equal(castTo(node.input?.[0]), undefined, 'the sinusoid argument is computed in fp32, not cast');
  const consumers = (value: string) => unetNodes.filter((n) => n.input?.includes(value)).map((n) => n.opType);
  const weightsToFp32 = unetNodes.filter((n) => n.opType === 'Cast' && castTo(n.output?.[0]) === OnnxDataType.float && (n.input?.[0] ?? '').startsWith('unet.'));
  assert.deepEqual([...new Set(weightsToFp32.flatMap((n) => consumers(n.output![0]!)))], ['GroupNormalization'], 'only GroupNorm reads its (fp16-stored) weights in fp32');
  assert.deepEqual(await readFile(fp16.vaeDecoder.path), await readFile(fp32.vaeDecoder.path), 'the VAE decoder stays fp32');

  const batch = 2;
  const latentSize = 8;
  const unetFeeds = (): Record<string, ort.Tensor> => ({
    sample: new ort.Tensor('float32', normal(batch * fp32.unet.inChannels * latentSize * latentSize, 1), [batch, fp32.unet.inChannels, latentSize, latentSize]),
    timestep: new ort.Tensor('float32', new Float32Array([999]), [1]),
    encoder_hidden_states: new ort.Tensor('float32', normal(batch * 77 * fp32.unet.crossAttentionDim, 2), [batch, 77, fp32.unet.crossAttentionDim]),
  });
  assert.deepEqual(fp32.unet.inputs.toSorted(), Object.keys(unetFeeds()).toSorted());
  const unetDiff = maxDiffOverStd(await run(fp32.unet.path, unetFeeds()), await run(fp16.unet.path, unetFeeds()));
  t.diagnostic(`UNet fp16 vs fp32 compute: max |diff| / std = ${unetDiff.toExponential(2)}`);
  assert.ok(unetDiff > 0 && unetDiff < MAX_DIFF_OVER_STD, `UNet ${unetDiff}`);

  // Two positions take token vectors (textual inversion): fed fp32, they enter the fp16 graph through a Cast.
  const ids = Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : i < 8 ? 320 + i * 7 : 49407));
  const width = fp32.textEncoders[0]!.hiddenSize;
  const vectors = [3, 4].map((position) => ({ position, vector: Float32Array.from({ length: width }, (_, c) => Math.sin(position * 31 + c) * 0.2) }));
  const textFeeds = () => textEncoderFeeds(ids, 1, width, vectors);
  const textDiff = maxDiffOverStd(await run(fp32.textEncoders[0]!.path, textFeeds()), await run(fp16.textEncoders[0]!.path, textFeeds()));
  t.diagnostic(`text encoder fp16 vs fp32 compute: max |diff| / std = ${textDiff.toExponential(2)}`);
  assert.ok(textDiff > 0 && textDiff < MAX_DIFF_OVER_STD, `text encoder ${textDiff}`);
  assert.equal(path.dirname(fp16.unet.path), fp16.dir);
});
