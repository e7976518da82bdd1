import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../../test/helpers/run-cli.ts';
import type { GpuReport } from '../../models/gpu-report.ts';

test('faceid doctor --gpu: platform, onnxruntime version, every provider tried, and which GPU provider runs the models (none on a CPU-only machine)', async () => {
  const json = await runCli(['doctor', '--gpu', '--json']);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout) as GpuReport;
  assert.equal(report.platform, `${process.platform}-${process.arch}`);
  assert.match(report.onnxruntimeVersion, /^\d+\.\d+\.\d+$/);
  assert.equal(report.providers.at(-1)?.name, 'cpu');
  assert.equal(report.providers.at(-1)?.works, true);
  for (const provider of report.providers) assert.equal(provider.works, provider.detail === null, `${provider.name}: ${provider.detail}`);

  const text = await runCli(['doctor', '--gpu']);
  assert.equal(text.code, 0);
  assert.equal(text.stderr, '');
  assert.match(text.stdout, new RegExp(`onnxruntime-node ${report.onnxruntimeVersion.replaceAll('.', '\\.')}`));
  assert.match(text.stdout, /\[ok\] cpu/);
  if (report.gpuProvider === null) {
    assert.match(text.stdout, /No GPU provider available: models run on the CPU\./);
    // Each GPU provider that does not work says what it needs.
    for (const provider of report.providers.filter((p) => p.name !== 'cpu')) assert.match(text.stdout, new RegExp(`\\[--\\] ${provider.name}`));
    if (report.providers.some((p) => p.name === 'cuda')) assert.match(text.stdout, /CUDA 12 .* cuDNN 9/);
  } else {
    assert.match(text.stdout, new RegExp(`GPU provider available: ${report.gpuProvider}`));
  }
});
