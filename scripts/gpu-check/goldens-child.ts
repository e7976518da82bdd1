// One golden run for `npm run gpu-check`, in a process of its own: GOLDEN_PROVIDER and GOLDEN_COMPUTE (read by
// test/goldens/compiled-fixtures.ts when it loads) come from the parent's environment. Lines go to stderr; the last
// stdout line is the summary as JSON.
//   node scripts/gpu-check/goldens-child.ts <fixtures> fp32|fp16 <suite>...
import { runGoldens } from '../../test/goldens/run.ts';
import { FP16_COMPUTE_TOLERANCES } from './tolerances.ts';

export interface GoldenRunSummary {
  readonly provider: string;
  readonly compute: 'fp32' | 'fp16';
  readonly passed: number;
  readonly failed: number;
  /** Each suite's largest error relative to its tolerance (1 = at the bound). */
  readonly worstBySuite: Record<string, { name: string; error: number; tolerance: number; metric: string }>;
  readonly failures: readonly { name: string; error: number; tolerance: number; metric: string; detail?: string }[];
  readonly seconds: number;
}

const [fixtures, compute, ...suites] = process.argv.slice(2);
if (!fixtures || (compute !== 'fp32' && compute !== 'fp16')) {
  console.error('usage: node scripts/gpu-check/goldens-child.ts <fixtures> fp32|fp16 <suite>...');
  process.exit(2);
}
const started = performance.now();
const results = await runGoldens(fixtures, suites, (line) => console.error(line), compute === 'fp16' ? FP16_COMPUTE_TOLERANCES : {});
const worstBySuite: GoldenRunSummary['worstBySuite'] = {};
for (const result of results) {
  const suite = result.name.split('/')[0]!;
  const ratio = result.tolerance > 0 ? result.error / result.tolerance : result.error === 0 ? 0 : Number.POSITIVE_INFINITY;
  const known = worstBySuite[suite];
  if (!known || ratio > (known.tolerance > 0 ? known.error / known.tolerance : known.error === 0 ? 0 : Number.POSITIVE_INFINITY)) {
    worstBySuite[suite] = { name: result.name, error: result.error, tolerance: result.tolerance, metric: result.metric };
  }
}
const failures = results.filter((r) => !r.passed).map(({ name, error, tolerance, metric, detail }) => ({ name, error, tolerance, metric, ...(detail ? { detail: detail.slice(0, 300) } : {}) }));
const summary: GoldenRunSummary = {
  provider: process.env.GOLDEN_PROVIDER ?? 'cpu',
  compute,
  passed: results.length - failures.length,
  failed: failures.length,
  worstBySuite,
  failures,
  seconds: (performance.now() - started) / 1000,
};
console.log(JSON.stringify(summary));
