import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src-preload/contract/settings.ts';
import { engineSettingsFrom } from './engine-settings.ts';

const GiB = 2 ** 30;

test('the Settings page as the engine takes it: preview interval, budget in bytes, providers', () => {
  const settings = { ...DEFAULT_SETTINGS, previewEverySteps: 3, memoryBudgetMb: 4096 };
  assert.deepEqual(engineSettingsFrom({ ...settings, modelMemory: 'fast' }, 32 * GiB), { previewEvery: 3, memoryBudgetBytes: 4096 * 2 ** 20, compactWeights: false, preferredProviders: 'auto' });
  assert.deepEqual(engineSettingsFrom({ ...settings, executionProvider: 'cpu' }, 32 * GiB).preferredProviders, []);
  assert.deepEqual(engineSettingsFrom({ ...settings, executionProvider: 'cuda' }, 32 * GiB).preferredProviders, ['cuda']);
});

test('model memory: automatic is compact below 16 GB of RAM and, above, for graphs whose fp16 weights exceed 15 % of it; fast and compact are what they say', () => {
  const auto = (ram: number) => engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'auto' }, ram);
  assert.deepEqual([auto(8 * GiB).compactWeights, auto(8 * GiB).compactFromBytes], [true, undefined]);
  // 24 GB: SDXL's UNet (5.1 GB stored) opens compact, SD1.5's (1.7 GB) expanded.
  const limit = auto(24 * GiB).compactFromBytes!;
  assert.equal(auto(24 * GiB).compactWeights, true);
  assert.ok(limit > 1.7e9 && limit < 5.1e9, `limit ${limit}`);
  assert.ok(auto(64 * GiB).compactFromBytes! > 5.1e9, 'with 64 GB even SDXL runs expanded');
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'fast' }, 8 * GiB).compactWeights, false);
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'compact' }, 64 * GiB).compactWeights, true);
});
