// Settings reach the running engine when they change (no restart): the studio passes each update on to its engine,
// mapped as at start (engine-settings.ts). The engine itself applying them between jobs is engine-client.test.ts.
// Also what the studio's job runner does at start with a fake engine: clearing previews a stopped studio left.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { EngineSettings } from '../engine/worker/protocol.ts';
import { tempFolder } from '../../test/helpers/temp-library.ts';
import { composeStudio } from './compose.ts';

test('settings.update hands the new engine settings to the running engine; a refused update hands nothing', async (t) => {
  const started: EngineSettings[] = [];
  const configured: EngineSettings[] = [];
  const studio = composeStudio({
    libraryFolder: tempFolder(t),
    generation: {
      cacheDir: tempFolder(t),
      startEngine: (settings) => {
        started.push({ previewEvery: settings.previewEverySteps });
        return { submit: () => 'never', cancel: () => {}, configure: (s) => configured.push(s), subscribe: () => () => {}, close: async () => {} };
      },
    },
  });
  t.after(() => studio.stop());
  assert.deepEqual(started, [{ previewEvery: 5 }]);
  const updated = await studio.dispatch('settings.update', { previewEverySteps: 1, modelMemory: 'compact', executionProvider: 'cpu' });
  assert.equal(updated.ok, true);
  assert.equal(configured.length, 1);
  assert.deepEqual({ ...configured[0], memoryBudgetBytes: undefined }, { previewEvery: 1, compactWeights: true, preferredProviders: [], memoryBudgetBytes: undefined });
  const refused = await studio.dispatch('settings.update', { modelMemory: 'huge' });
  assert.equal(refused.ok, false);
  assert.equal(configured.length, 1);
});

test('previews left by a studio that stopped mid-job are cleared when the studio starts again', async (t) => {
  const folder = tempFolder(t);
  const leftover = path.join(folder, 'previews', 'ab', 'abcd-3.png');
  mkdirSync(path.dirname(leftover), { recursive: true });
  writeFileSync(leftover, 'png');
  const studio = composeStudio({
    libraryFolder: folder,
    generation: { cacheDir: tempFolder(t), startEngine: () => ({ submit: () => 'never', cancel: () => {}, configure: () => {}, subscribe: () => () => {}, close: async () => {} }) },
  });
  t.after(() => studio.stop());
  assert.equal(existsSync(leftover), false);
});
