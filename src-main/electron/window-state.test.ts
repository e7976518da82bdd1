import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_WINDOW_SIZE, MINIMUM_WINDOW_SIZE, readWindowState, restoreWindowState, writeWindowState } from './window-state.ts';

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };
const monitorRight = { x: 1920, y: 0, width: 2560, height: 1440 };

test('a saved window on a present display comes back where it was', () => {
  const saved = { x: 2000, y: 100, width: 1600, height: 1000, isMaximized: true };
  assert.deepEqual(restoreWindowState(saved, [laptop, monitorRight]), saved);
});

test('a window saved on a monitor that is gone opens centred at its size', () => {
  const restored = restoreWindowState({ x: 2000, y: 100, width: 1600, height: 1000, isMaximized: false }, [laptop]);
  assert.deepEqual(restored, { width: 1600, height: 1000, isMaximized: false });
});

test('a window larger than every display shrinks to fit; a tiny one grows to the minimum', () => {
  assert.deepEqual(restoreWindowState({ width: 5000, height: 3000 }, [laptop]), { width: 1920, height: 1080, isMaximized: false });
  assert.deepEqual(restoreWindowState({ x: 10, y: 10, width: 100, height: 50 }, [laptop]), {
    x: 10, y: 10, ...MINIMUM_WINDOW_SIZE, isMaximized: false,
  });
});

test('missing, corrupt or hostile state falls back to the default size', () => {
  for (const saved of [undefined, null, 'text', { width: -5, height: 10 }, { width: 'big' }, { x: 1.5, width: 800, height: 600 }]) {
    assert.deepEqual(restoreWindowState(saved, [laptop]), { ...DEFAULT_WINDOW_SIZE, isMaximized: false }, JSON.stringify(saved));
  }
});

test('state round-trips through its JSON file, and a broken file reads as no state', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'faceid-window-'));
  try {
    const file = path.join(folder, 'window-state.json');
    assert.equal(await readWindowState(file), undefined);
    const state = { x: 40, y: 30, width: 1300, height: 900, isMaximized: false };
    writeWindowState(file, state);
    assert.deepEqual(restoreWindowState(await readWindowState(file), [laptop]), state);
    await writeFile(file, '{"x": 4');
    assert.equal(await readWindowState(file), undefined);
    assert.equal((await readFile(file, 'utf8')).length, 7);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
