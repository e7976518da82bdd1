// electronegativity over the Electron sources (scripts/lint-electron.ts): no HIGH finding, and every MEDIUM or
// LOW one explained in place. A deliberately unsafe sample proves the checker really looks.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { lintElectron } from '../scripts/lint-electron.ts';

test('the Electron main process and preload have no high and no unexplained finding', async () => {
  const { findings, parseErrors, scannedFiles } = await lintElectron();
  for (const finding of findings) console.log(`${finding.verdict} ${finding.severity} ${finding.id} ${finding.file}:${finding.line}`);
  assert.deepEqual(parseErrors, [], 'every file must parse, or it was not checked');
  assert.ok(scannedFiles.includes('src-main/electron/main.ts') && scannedFiles.includes('src-main/electron/window.ts'), scannedFiles.join(', '));
  assert.deepEqual(findings.filter((finding) => finding.severity === 'HIGH'), []);
  assert.deepEqual(findings.filter((finding) => finding.verdict === 'fails'), []);
});

test('an unsafe window fails, and an eng-disable comment cannot excuse a high finding', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'faceid-unsafe-electron-'));
  try {
    await mkdir(path.join(root, 'app'));
    await writeFile(path.join(root, 'app/window.ts'), [
      "import { BrowserWindow, shell } from 'electron';",
      '// reason given, but a high finding is never excused',
      'const window = new BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, sandbox: false } }); // eng-disable CONTEXT_ISOLATION_JS_CHECK',
      'export function open(url: string): void {',
      '  shell.openExternal(url);',
      '}',
      'window.show();',
      '',
    ].join('\n'));
    const { findings } = await lintElectron(root, ['app']);
    const failing = new Set(findings.filter((finding) => finding.verdict === 'fails').map((finding) => finding.id));
    for (const id of ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'OPEN_EXTERNAL_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']) assert.ok(failing.has(id), `${id} not reported: ${[...failing].join(', ')}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
