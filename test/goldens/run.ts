// `npm run goldens -- <fixture folder> [suite …]`: runs every golden suite against a fixture folder,
// prints one line per golden (name, error, tolerance, pass/fail) and a summary; exits 1 on any failure.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareWithTolerance, type GoldenContext, type GoldenResult, type GoldenSuite } from './golden-suite.ts';
import type { Tolerance, ToleranceName } from './tolerances.ts';

const suitesFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'suites');

async function loadSuites(only: readonly string[]): Promise<GoldenSuite[]> {
  const files = (await readdir(suitesFolder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const suites: GoldenSuite[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(suitesFolder, file)).href)) as { suite: GoldenSuite };
    if (only.length === 0 || only.includes(module.suite.name)) suites.push(module.suite);
  }
  return suites;
}

function formatLine(result: GoldenResult): string {
  const verdict = result.passed ? 'pass' : 'FAIL';
  const error = Number.isFinite(result.error) ? result.error.toExponential(2) : String(result.error);
  const tail = result.detail ? `  (${result.detail})` : '';
  return `${verdict}  ${result.name.padEnd(56)} err ${error.padStart(9)}  tol ${result.tolerance.toExponential(0)} ${result.metric}${tail}`;
}

/** `tolerances` replaces some goldens' tolerances for one run (fp16 compute, stated by `npm run gpu-check`). */
export async function runGoldens(fixtures: string, only: readonly string[] = [], print: (line: string) => void = console.log, tolerances: Partial<Record<ToleranceName, Tolerance>> = {}): Promise<GoldenResult[]> {
  const results: GoldenResult[] = [];
  const record = (result: GoldenResult): void => {
    results.push(result);
    print(formatLine(result));
  };
  for (const suite of await loadSuites(only)) {
    print(`# ${suite.name}`);
    const context: GoldenContext = {
      fixtures,
      check: (name, actual, expected, tolerance) => {
        const { comparison, result } = compareWithTolerance(`${suite.name}/${name}`, actual, expected, tolerance, tolerances[tolerance]);
        record(result);
        return comparison;
      },
      record: (result) => record({ ...result, name: `${suite.name}/${result.name}` }),
    };
    try {
      await suite.run(context);
    } catch (error) {
      record({ name: `${suite.name}/(suite crashed)`, error: Number.POSITIVE_INFINITY, tolerance: 0, metric: '-', passed: false, detail: (error as Error).stack ?? String(error) });
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [folder, ...only] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: npm run goldens -- <fixture folder> [suite …]');
    process.exit(2);
  }
  const results = await runGoldens(path.resolve(folder), only);
  const failed = results.filter((r) => !r.passed).length;
  console.log(`goldens: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}
