// Opens the real desktop app in Electron: the window loads the renderer from studio-app://, the preload exposes
// `window.studio` and nothing else, and a contract call makes the round trip to main and back.
// Needs the Electron binary; where it is missing (as on machines that cannot download it) the test is skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { _electron } from 'playwright-core';
import sharp from 'sharp';
import { repoRoot } from '../helpers/fixtures.ts';
import { findElectronBinary } from '../../scripts/electron-binary.ts';

const electron = findElectronBinary();

test('the window opens on the app and a contract call round-trips through the preload', { skip: 'missing' in electron ? electron.missing : false, timeout: 180_000 }, async () => {
  if (!('path' in electron)) return;
  for (const script of ['build', 'build:electron']) {
    const built = spawnSync('npm', ['run', script, '--silent'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(built.status, 0, `npm run ${script}: ${built.stderr}`);
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'faceid-electron-smoke-'));
  const app = await _electron.launch({
    executablePath: electron.path,
    args: [repoRoot],
    env: { ...process.env, FACEID_STUDIO_HOME: home, ELECTRON_ENABLE_LOGGING: '1' },
  });
  try {
    const window = await app.firstWindow();
    await window.waitForLoadState('domcontentloaded');
    assert.match(window.url(), /^studio-app:\/\/renderer\//);
    const exposed = await window.evaluate(() => ({
      hasRequire: typeof (globalThis as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
      studioKeys: Object.keys((globalThis as unknown as { studio: object }).studio).sort(),
    }));
    assert.equal(exposed.hasRequire, false, 'the renderer must not reach Node');
    assert.equal(exposed.hasProcess, false);
    assert.ok(exposed.studioKeys.includes('app') && exposed.studioKeys.includes('characters'), exposed.studioKeys.join(', '));
    const info = await window.evaluate(() => (globalThis as unknown as { studio: { app: { info(request: object): Promise<unknown> } } }).studio.app.info({}));
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(info, { ok: true, value: { version, libraryFolder: home, transport: 'ipc' } });
    const refused = await window.evaluate(() => (globalThis as unknown as { studio: { characters: { create(request: unknown): Promise<{ ok: boolean; error?: { code: string } }> } } }).studio.characters.create({ name: 42 }));
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'invalid-request');
    // A reference photo added through the contract loads in the page from studio-media://library/….
    const photo = (await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a05' } }).png().toBuffer()).toString('base64');
    const thumbnailSize = await window.evaluate(async ({ photo }) => {
      type Call = (request: object) => Promise<{ ok: boolean; value: Record<string, unknown> }>;
      const studio = (globalThis as unknown as { studio: { characters: { create: Call }; references: { add: Call } } }).studio;
      const character = await studio.characters.create({ name: 'Ada' });
      const reference = await studio.references.add({ characterId: character.value.id, fileName: 'ada.png', dataBase64: photo });
      const image = new (globalThis as unknown as { Image: new () => { src: string; naturalWidth: number; onload: () => void; onerror: () => void } }).Image();
      await new Promise<void>((resolve, reject) => {
        image.onload = resolve;
        image.onerror = () => reject(new Error(`image did not load: ${image.src}`));
        image.src = `studio-media://library/${String(reference.value.thumbnail)}`;
      });
      return image.naturalWidth;
    }, { photo });
    assert.ok(thumbnailSize > 0);
    const navigated = await window.evaluate(() => {
      const page = globalThis as unknown as { location: { href: string } };
      page.location.href = 'file:///etc/hostname'; // refused outright (a web URL would open the system browser)
      return new Promise((resolve) => setTimeout(() => resolve(page.location.href), 500));
    });
    assert.match(String(navigated), /^studio-app:/, 'navigation away from the app must be blocked');
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});
