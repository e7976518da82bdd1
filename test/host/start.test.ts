// `npm start` on a machine without Electron's binary: one line saying so, then the host URL, which serves the studio.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.ts';
import { tempFolder } from '../helpers/temp-library.ts';

const hasElectronBinary = existsSync(path.join(repoRoot, 'node_modules/electron/path.txt'));

test('npm start falls back to the studio host when Electron is missing', { skip: hasElectronBinary && 'Electron binary installed: npm start opens the window instead' }, async (t) => {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/node'), [path.join(repoRoot, 'scripts/start.ts')], {
    cwd: repoRoot,
    env: { ...process.env, FACEID_STUDIO_HOME: tempFolder(t), ELECTRON_OVERRIDE_DIST_PATH: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGTERM'));
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 120 s:\n${output}`)), 120_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  assert.match(output, /^Electron's binary is not installed .*: starting the studio host instead\.$/m);
  const first = await fetch(url, { redirect: 'manual' });
  assert.equal(first.status, 303);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await fetch(new URL(first.headers.get('location') ?? '/', url), { headers: { Cookie: cookie } });
  assert.equal(page.status, 200, 'the page loads with the cookie the first load set');
  assert.match(await page.text(), /<title>FaceID Studio<\/title>/);
});
