// A library in a fresh temp folder, removed after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { Library } from '../../src-main/library/library.ts';

export function tempFolder(t: Pick<TestContext, 'after'>, prefix = 'faceid-library-'): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

export function tempLibrary(t: Pick<TestContext, 'after'>): Library {
  const library = new Library(tempFolder(t));
  t.after(() => library.close());
  return library;
}
