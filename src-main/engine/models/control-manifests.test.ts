// The control graph builders against the REAL full-size control files' key lists and shapes (fixtures/control/manifests):
// SD1.5 ControlNet v1.1 (diffusers and lllyasviel's names), SDXL ControlNet (diffusers form, with and without its config)
// and the SD1.5 and SDXL T2I-Adapters build, reading only tensors that exist with the shapes they expect (no weights are read).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../../../test/helpers/fixtures.ts';
import type { TensorDescriptor } from '../io/descriptors.ts';
import { ldmContext, mapLdmName } from '../io/ldm-names.ts';
import { WeightMap } from '../graph/weight-map.ts';
import { buildControlNet, CONTROLNET_INPUTS, controlNetConfig } from './controlnet.ts';
import { buildT2IAdapter, t2iAdapterConfig } from './t2i-adapter.ts';
import { adapterFeatureSites, skipChannels } from './unet.ts';

interface Manifest {
  readonly config?: Record<string, unknown>;
  readonly tensors: Record<string, { shape: number[]; dtype: string }>;
}

function weightsOf(manifest: Manifest, rename: (name: string, shape: number[]) => string[]): WeightMap {
  const map = new Map<string, TensorDescriptor>();
  for (const [name, { shape }] of Object.entries(manifest.tensors)) {
    for (const canonical of rename(name, shape)) map.set(canonical, { name: canonical, dtype: 'F16', shape, file: '/nonexistent/control.safetensors', offset: 0, byteLength: 2 * shape.reduce((a, b) => a * b, 1) });
  }
  return new WeightMap(map, 'control manifest');
}

const manifest = (file: string) => JSON.parse(readFileSync(fixture('control', 'manifests', file), 'utf8')) as Record<string, Manifest & Record<string, Manifest>>;

test('SD1.5 ControlNet v1.1 builds from the diffusers and the original names, to the same config: 12 residuals and the mid', () => {
  const sd15 = manifest('controlnet_sd15.json');
  const diffusers = weightsOf(sd15['diffusers']!, (n) => [`controlnet.${n}`]);
  const names = Object.keys(sd15['original']!.tensors);
  const context = ldmContext(names);
  const original = weightsOf(sd15['original']!, (n, shape) => (mapLdmName(n, shape, context) ?? []).map((m) => m.canonical));
  const configs = [controlNetConfig(diffusers, 'controlnet.', sd15['diffusers']!.config), controlNetConfig(original, 'controlnet.')];
  assert.deepEqual(configs[1], configs[0]);
  assert.deepEqual(configs[0]!.hintChannels, [16, 32, 96, 256]);
  assert.equal(skipChannels(configs[0]!).length, 12);
  for (const [i, weights] of [diffusers, original].entries()) assert.equal(buildControlNet(weights, configs[i]!).outputNames().length, 13);
});

test('SDXL ControlNet (from_unet of SDXL base) builds with the added conditioning, from its config or from shapes alone', () => {
  const sdxl = manifest('controlnet_sdxl.json')['diffusers']!;
  const weights = weightsOf(sdxl, (n) => [`controlnet.${n}`]);
  const withConfig = controlNetConfig(weights, 'controlnet.', sdxl.config);
  const fromShapes = controlNetConfig(weights, 'controlnet.');
  assert.deepEqual(fromShapes, withConfig);
  assert.deepEqual(withConfig.addedEmbedding, { type: 'text_time', timeIds: 6, timeEmbedDim: 256, textEmbedDim: 1280 });
  assert.deepEqual(withConfig.down.map((l) => [l.transformerDepth, l.heads]), [[0, 5], [2, 10], [10, 20]]);
  const graph = buildControlNet(weights, withConfig);
  assert.ok(graph.inputNames().includes(CONTROLNET_INPUTS.textEmbeds) && graph.inputNames().includes(CONTROLNET_INPUTS.timeIds));
  assert.equal(graph.outputNames().length, skipChannels(withConfig).length + 1);
});

test('T2I-Adapter features go where diffusers adds them: SD1.5 after each level\'s last resnet; SDXL after its plain first level\'s downsampler, after levels 1–2, and after the mid block', () => {
  const sd15 = manifest('controlnet_sd15.json');
  const sd15Config = controlNetConfig(weightsOf(sd15['diffusers']!, (n) => [`controlnet.${n}`]), 'controlnet.', sd15['diffusers']!.config);
  assert.deepEqual(adapterFeatureSites(sd15Config), [2, 5, 8, 11]);
  const sdxl = manifest('controlnet_sdxl.json')['diffusers']!;
  const sdxlConfig = controlNetConfig(weightsOf(sdxl, (n) => [`controlnet.${n}`]), 'controlnet.', sdxl.config);
  assert.deepEqual(adapterFeatureSites(sdxlConfig), [3, 5, 8, 'mid']);
  // The widths there are the SDXL adapter's: 320, 640, 1280, 1280.
  assert.deepEqual(adapterFeatureSites(sdxlConfig).map((s) => (s === 'mid' ? 1280 : skipChannels(sdxlConfig)[s])), [320, 640, 1280, 1280]);
});

test('SD1.5 T2I-Adapters (RGB and 1-channel) build from the diffusers key lists: four features of 320/640/1280/1280', () => {
  const t2i = manifest('t2iadapter_sd15.json');
  for (const form of ['in_channels_3', 'in_channels_1']) {
    const weights = weightsOf(t2i[form]!['diffusers']!, (n) => (n.startsWith('adapter.') ? [`t2i.${n.slice('adapter.'.length)}`] : []));
    const config = t2iAdapterConfig(weights, 't2i.');
    assert.deepEqual([config.imageChannels, config.channels], [form === 'in_channels_3' ? 3 : 1, [320, 640, 1280, 1280]]);
    assert.equal(buildT2IAdapter(weights, config).outputNames().length, 4);
  }
  const xl = manifest('t2iadapter_sdxl.json');
  for (const form of ['in_channels_3', 'in_channels_1']) {
    const weights = weightsOf(xl[form]!['diffusers']!, (n) => (n.startsWith('adapter.') ? [`t2i.${n.slice('adapter.'.length)}`] : []));
    const config = t2iAdapterConfig(weights, 't2i.');
    assert.deepEqual([config.imageChannels, config.unshuffle, config.poolBefore], [form === 'in_channels_3' ? 3 : 1, 16, [false, false, true, false]], `XL ${form}`);
    assert.equal(buildT2IAdapter(weights, config).outputNames().length, 4);
  }
});
