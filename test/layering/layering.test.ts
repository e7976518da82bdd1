// The code base keeps its layering (test/layering/layers.ts), and the checker does catch a wrong import, an
// environment read out of place and a cycle, on a small code base written for the purpose.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.ts';
import { tempFolder } from '../helpers/temp-library.ts';
import { checkLayering, findCycles } from './layering.ts';
import { studioLayering } from './layers.ts';

test('every source file imports only what its part may, and no imports go round in a cycle', () => {
  const report = checkLayering(repoRoot, studioLayering);
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.partCycles, []);
  assert.deepEqual(report.fileCycles, []);
});

test('the checker reports a wrong import of each kind, an environment read and cycles', (t) => {
  const root = tempFolder(t);
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  // src-main/cli is left out of the main program on purpose (see stray.ts below).
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', allowImportingTsExtensions: true, noEmit: true }, include: ['src-main', 'src-preload'], exclude: ['src-main/cli'] }));
  write('src-renderer/tsconfig.json', JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', allowImportingTsExtensions: true, noEmit: true }, include: ['.', '../src-preload/contract'] }));
  write('src-preload/contract/index.ts', 'export type Settings = { theme: string };\n');
  write('src-main/base/errors.ts', 'export class StudioError extends Error {}\n');
  write('src-main/app/compose.ts', "import { run } from '../engine/run.ts';\nexport const studio = run;\n");
  // engine → app (a plain import), and back: a part cycle and a file cycle.
  write('src-main/engine/run.ts', "import { studio } from '../app/compose.ts';\nimport type { Settings } from '../../src-preload/contract/index.ts';\nexport const run = (s: Settings) => [studio, s];\n");
  // engine → models through `import type` and `export … from`, a dynamic import of the library, and process.env.
  write('src-main/engine/paths.ts', "import type { Folders } from '../models/folders.ts';\nexport { folders } from '../models/folders.ts';\nexport const f = (x: Folders) => [x, process.env.HOME, import('../library/db.ts')];\n");
  write('src-main/models/folders.ts', "export type Folders = string[];\nexport const folders: Folders = [];\n");
  write('src-main/library/db.ts', 'export const db = 1;\n');
  // A type position import('…') of main from the renderer, and a test helper imported by production code.
  write('src-renderer/app.tsx', "export const App = (): import('../src-main/base/errors.ts').StudioError | null => null;\n");
  write('src-main/app/handlers.ts', "import { helper } from '../../test/helpers/helper.ts';\nexport const h = helper;\n");
  // A test may import anything and read the environment.
  write('src-main/library/db.test.ts', "import '../app/compose.ts';\nexport const home = process.env.HOME;\n");
  // The environment reader itself may.
  write('src-main/app/environment.ts', 'export const env = process.env;\n');
  // A file no tsconfig includes: its imports cannot be read.
  write('src-main/cli/stray.ts', "import '../electron/main.ts';\n");

  const report = checkLayering(root, studioLayering);
  assert.deepEqual(report.violations.toSorted(), [
    'src-main/app/handlers.ts → test/helpers/helper.ts: app may not import test/',
    'src-main/cli/stray.ts is in no program of tsconfig.json, src-renderer/tsconfig.json: its imports went unchecked',
    'src-main/engine/paths.ts reads process.env: only src-main/app/environment.ts does; take the value from its StudioEnvironment',
    'src-main/engine/paths.ts → src-main/library/db.ts: engine may not import library',
    'src-main/engine/paths.ts → src-main/models/folders.ts: engine may not import models',
    'src-main/engine/paths.ts → src-main/models/folders.ts: engine may not import models',
    'src-main/engine/run.ts → src-main/app/compose.ts: engine may not import app',
    'src-renderer/app.tsx → src-main/base/errors.ts: renderer may not import base',
  ]);
  assert.deepEqual(report.partCycles, ['app → engine']);
  assert.deepEqual(report.fileCycles, ['src-main/app/compose.ts → src-main/engine/run.ts']);
});

test('a file importing itself is a cycle; a chain is not', () => {
  assert.deepEqual(findCycles(new Map([['a', ['a']], ['b', ['c']], ['c', []]])), [['a']]);
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), [['a', 'b', 'c']]);
});
