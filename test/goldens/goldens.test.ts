// Runs `npm run goldens -- <fixtures>` as a user would and turns each printed golden line into a test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fixturesRoot, repoRoot } from '../helpers/fixtures.ts';

const run = spawnSync(process.execPath, [path.join(repoRoot, 'test/goldens/run.ts'), fixturesRoot], {
  cwd: repoRoot,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const lines = run.stdout.split('\n').filter((l) => /^(pass|FAIL) {2}/.test(l));
const lineName = (line: string): string => line.slice(6).trim().split(/\s+/)[0]!;

// A crashed suite prints no line for the rest of it: the command must also reach its summary and exit 0.
test('npm run goldens runs to the end on the shared fixtures and passes every line', () => {
  const notPassed = run.stdout.split('\n').filter((l) => !l.startsWith('pass')).join('\n');
  assert.ok(lines.length > 0, `the goldens command printed no golden line\n${run.stderr.slice(-4000)}`);
  assert.match(run.stdout, /^goldens: \d+ passed, 0 failed/m, `the goldens command did not pass\n${notPassed.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  assert.equal(run.status, 0);
});

for (const line of lines) {
  test(`golden ${lineName(line)}`, () => {
    assert.ok(line.startsWith('pass'), line);
  });
}
