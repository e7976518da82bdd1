import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src-preload/contract/settings.ts';
import { engineSettingsFrom } from './engine-settings.ts';

const GiB = 2 ** 30;

test('the Settings page as the engine takes it: preview interval, budget in bytes, providers', () => {
  const settings = { ...DEFAULT_SETTINGS, previewEverySteps: 3, memoryBudgetMb: 4096 };
  assert.deepEqual(engineSettingsFrom(settings, 32 * GiB), { previewEvery: 3, memoryBudgetBytes: 4096 * 2 ** 20, compactWeights: false, preferredProviders: 'auto' });
  assert.deepEqual(engineSettingsFrom({ ...settings, executionProvider: 'cpu' }, 32 * GiB).preferredProviders, []);
  assert.deepEqual(engineSettingsFrom({ ...settings, executionProvider: 'cuda' }, 32 * GiB).preferredProviders, ['cuda']);
});

test('model memory: automatic is compact below 16 GB of RAM; fast and compact are what they say', () => {
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'auto' }, 8 * GiB).compactWeights, true);
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'auto' }, 32 * GiB).compactWeights, false);
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'fast' }, 8 * GiB).compactWeights, false);
  assert.equal(engineSettingsFrom({ ...DEFAULT_SETTINGS, modelMemory: 'compact' }, 64 * GiB).compactWeights, true);
});
