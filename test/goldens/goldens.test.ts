// Runs `npm run goldens -- <fixtures>` as a user would and turns each printed golden line into a test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixturesRoot, repoRoot } from '../helpers/fixtures.ts';

const hasSuites = readdirSync(path.join(repoRoot, 'test/goldens/suites')).some((f) => f.endsWith('.ts'));

if (!hasSuites) {
  test('golden suites', { skip: 'no golden suite exists yet' }, () => {});
} else {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'test/goldens/run.ts'), fixturesRoot], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = run.stdout.split('\n').filter((l) => /^(pass|FAIL) {2}/.test(l));

  test('npm run goldens exits 0 on the shared fixtures', () => {
    assert.equal(run.status, 0, `${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
    assert.ok(lines.length > 0, 'the goldens command printed no golden line');
  });

  for (const line of lines) {
    const name = line.slice(6).trim().split(/\s+/)[0]!;
    test(`golden ${name}`, () => {
      assert.ok(line.startsWith('pass'), line);
    });
  }
}
