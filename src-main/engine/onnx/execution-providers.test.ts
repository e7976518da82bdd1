import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXECUTION_PROVIDERS as SETTINGS_PROVIDERS } from '../../../src-preload/contract/settings.ts';
import { tempFolder } from '../../../test/helpers/temp-library.ts';
import { encodeOnnxModel } from '../../models/selftest/onnx-writer.ts';
import { automaticProviders, currentProviderHost, EXECUTION_PROVIDERS, onnxruntimeNativeFolder, PROVIDER_NAMES, providerSpec, providerUnusableBecause, type ProviderHost } from './execution-providers.ts';
import { describeMissingLibrary, parseLddMissing } from './native-libraries.ts';
import { SessionPool } from './session-pool.ts';

test('the table: one entry per provider, CPU last, and Settings offers exactly these plus Automatic', () => {
  assert.deepEqual(EXECUTION_PROVIDERS.map((p) => p.name), [...PROVIDER_NAMES]);
  assert.equal(EXECUTION_PROVIDERS.at(-1)?.name, 'cpu');
  assert.deepEqual([...SETTINGS_PROVIDERS].toSorted(), ['auto', ...PROVIDER_NAMES].toSorted());
  for (const spec of EXECUTION_PROVIDERS) {
    const configName = typeof spec.config === 'string' ? spec.config : spec.config.name;
    assert.equal(configName, spec.name, `${spec.name}'s session config names it`);
    assert.ok(spec.detection.length > 0 && spec.requirements.length > 0, `${spec.name} says how it is detected and what it needs`);
  }
});

test("the table's platforms are the installed onnxruntime-node's: each has a binding there built with that provider", () => {
  for (const spec of EXECUTION_PROVIDERS) {
    for (const platformArch of spec.platforms) {
      const [platform, arch] = platformArch.split('-') as [NodeJS.Platform, string];
      const binding = path.join(onnxruntimeNativeFolder(platform, arch), 'onnxruntime_binding.node');
      assert.ok(existsSync(binding), `${spec.name} on ${platformArch}: ${binding}`);
      assert.ok(readFileSync(binding).includes(spec.name), `the ${platformArch} binding mentions ${spec.name}`);
    }
  }
  // And no platform folder of the package is left without its CPU entry.
  const platforms = readdirSync(path.dirname(path.dirname(onnxruntimeNativeFolder()))).flatMap((platform) =>
    readdirSync(path.join(path.dirname(path.dirname(onnxruntimeNativeFolder())), platform)).map((arch) => `${platform}-${arch}`),
  );
  assert.deepEqual(platforms.toSorted(), [...providerSpec('cpu')!.platforms].toSorted());
});

test('Automatic: the accelerated providers of a platform, best first', () => {
  assert.deepEqual(automaticProviders({ platform: 'linux', arch: 'x64' }), ['cuda', 'webgpu']);
  assert.deepEqual(automaticProviders({ platform: 'win32', arch: 'x64' }), ['dml', 'webgpu']);
  assert.deepEqual(automaticProviders({ platform: 'darwin', arch: 'arm64' }), ['coreml', 'webgpu']);
  assert.deepEqual(automaticProviders({ platform: 'linux', arch: 'arm64' }), []);
});

/** A one-node model on disk (the pool opens models by path). */
function addOneModel(folder: string): string {
  const file = path.join(folder, 'add-one.onnx');
  writeFileSync(file, encodeOnnxModel({
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: [{ name: 'y', shape: [1, 4] }],
    nodes: [{ op: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
    initializers: [{ name: 'one', dims: [1, 4], data: new Float32Array([1, 1, 1, 1]) }],
  }));
  return file;
}

test('every provider is either usable here or says why not; each usable one opens a session, or the pool falls back saying why', async (t) => {
  const host = currentProviderHost();
  const model = addOneModel(tempFolder(t));
  for (const spec of EXECUTION_PROVIDERS) {
    const unusable = await providerUnusableBecause(spec, host);
    if (unusable !== undefined) {
      assert.ok(unusable.length > 10, `${spec.name}: ${unusable}`);
      continue;
    }
    const pool = new SessionPool({ memoryBudgetBytes: 1e12, preferredProviders: spec.name === 'cpu' ? [] : [spec.name] });
    const pooled = await pool.get(model);
    // A provider that passes the checks may still fail to open a session (no adapter): the pool falls back to CPU
    // and records why.
    const status = pool.providers().find((p) => p.provider === spec.name);
    assert.ok(pooled.provider === spec.name || (status?.available === false && (status.reason ?? '').length > 0), spec.name);
    await pool.releaseAll();
  }
});

test('ldd output: the missing libraries are named with what provides them', () => {
  const output = '\tlinux-vdso.so.1 (0x00007ffc)\n\tlibcudnn.so.9 => not found\n\tlibcublasLt.so.12 => not found\n\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x7f)\n';
  assert.deepEqual(parseLddMissing(output), ['libcudnn.so.9', 'libcublasLt.so.12']);
  assert.equal(describeMissingLibrary('libcudnn.so.9'), 'libcudnn.so.9 (cuDNN 9 for CUDA 12)');
  assert.equal(describeMissingLibrary('libcublasLt.so.12'), 'libcublasLt.so.12 (CUDA 12 cuBLAS)');
  assert.equal(describeMissingLibrary('libfoo.so.1'), 'libfoo.so.1');
});

test('CUDA: not installed, then installed but lacking cuDNN — each says which files, without a native error', async (t) => {
  const nativeFolder = tempFolder(t);
  const host: ProviderHost = { platform: 'linux', arch: 'x64', nativeFolder, listed: new Set(['cpu', 'cuda']) };
  const cuda = providerSpec('cuda')!;
  assert.match((await providerUnusableBecause(cuda, host)) ?? '', /NVIDIA GPU runtime is not installed \(libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so missing/);
  if (process.platform !== 'linux') return t.skip('ldd is Linux only');
  try {
    // A stand-in provider library linked against a cuDNN that is then taken away, as on a machine without cuDNN.
    const lib = tempFolder(t);
    writeFileSync(path.join(lib, 'empty.c'), 'int cudnn_stand_in(void) { return 0; }\n');
    execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(lib, 'libcudnn.so.9'), '-Wl,-soname,libcudnn.so.9', path.join(lib, 'empty.c')]);
    writeFileSync(path.join(lib, 'provider.c'), 'extern int cudnn_stand_in(void); int provider(void) { return cudnn_stand_in(); }\n');
    mkdirSync(nativeFolder, { recursive: true });
    execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(nativeFolder, 'libonnxruntime_providers_cuda.so'), path.join(lib, 'provider.c'), `-L${lib}`, '-l:libcudnn.so.9']);
  } catch {
    return t.skip('no C compiler to build a stand-in provider library');
  }
  writeFileSync(path.join(nativeFolder, 'libonnxruntime_providers_shared.so'), '');
  assert.equal(await providerUnusableBecause(cuda, host), 'the system lacks libcudnn.so.9 (cuDNN 9 for CUDA 12)');
});
