import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainProviderFailure, probeExecutionProviders } from './execution-providers.ts';

test('provider failures are explained in plain words, unknown ones keep their first line', () => {
  const missingLibrary = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
  assert.match(explainProviderFailure('cuda', false, missingLibrary), /provider library, not part of onnxruntime-node's package, is missing or needs a library this machine lacks/);
  assert.match(explainProviderFailure('cuda', true, missingLibrary), /could not be loaded \(is the cuda runtime installed\?\)/);
  const webgpu = 'onnxruntime::webgpu::WebGpuContext::Initialize(...)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false.';
  assert.match(explainProviderFailure('webgpu', true, webgpu), /no GPU adapter found/);
  assert.equal(explainProviderFailure('dml', true, 'session.cc:123 something odd\nsecond line'), 'something odd');
});

test('the CPU provider always works and every failure carries an explanation', async () => {
  const providers = await probeExecutionProviders();
  assert.equal(providers.find((p) => p.name === 'cpu')?.works, true);
  for (const provider of providers) assert.equal(provider.works, provider.detail === null, provider.name);
});
