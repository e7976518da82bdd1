// Runs `npm run goldens -- <fixtures>` as a user would and turns each printed golden line into a test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixturesRoot, repoRoot } from '../helpers/fixtures.ts';
import { KNOWN_DEVIATIONS } from './known-deviations.ts';

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

  const lineName = (line: string): string => line.slice(6).trim().split(/\s+/)[0]!;
  const unexplained = lines.filter((l) => l.startsWith('FAIL') && !KNOWN_DEVIATIONS.has(lineName(l)));

  // The command itself exits 1 while any golden fails, known deviations included; here only unexplained failures
  // (or a crash, which prints no line for the rest) count against the run.
  test('npm run goldens runs to the end on the shared fixtures and fails nothing but the known deviations', () => {
    assert.ok(lines.length > 0, `the goldens command printed no golden line\n${run.stderr.slice(-4000)}`);
    assert.match(run.stdout, /^goldens: \d+ passed, \d+ failed/m, `the goldens command did not reach its summary\n${run.stderr.slice(-4000)}`);
    assert.deepEqual(unexplained, []);
  });

  for (const line of lines) {
    const name = lineName(line);
    const deviation = KNOWN_DEVIATIONS.get(name);
    if (deviation !== undefined && line.startsWith('FAIL')) {
      test(`golden ${name}`, { todo: `known deviation: ${deviation}` }, () => {
        assert.fail(line);
      });
      continue;
    }
    test(`golden ${name}`, () => {
      assert.ok(line.startsWith('pass'), line);
    });
  }
}
