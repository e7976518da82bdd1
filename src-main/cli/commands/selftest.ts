// `faceid selftest`: runs the install checks and the pipeline on a tiny model set made on this machine from
// fixed seeds (no download), so a broken install can be told apart from a missing model.
import path from 'node:path';
import { readEnvironment } from '../../app/environment.ts';
import { runSelftest, type SelftestStepResult } from '../../models/selftest/run-selftest.ts';
import { defaultStudioDir } from '../../models/studio-paths.ts';
import { parseCommandArgs, type CliCommand } from '../command.ts';

const usage = 'faceid selftest [--cache DIR] [--json]';

const MARKS: Record<SelftestStepResult['status'], string> = { passed: '[ok]', failed: '[FAIL]', 'not-run': '[skip]' };

export const command: CliCommand = {
  name: 'selftest',
  summary: 'Check the install end to end on tiny models generated here (offline, seconds)',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs({ name: 'selftest', usage }, args, { cache: { type: 'string' }, json: { type: 'boolean' } });
    const cacheDir = path.resolve(values.cache ?? path.join(defaultStudioDir(readEnvironment()), 'cache'));
    const report = await runSelftest({
      cacheDir,
      signal: io.signal,
      onStep: values.json ? undefined : (step) => io.stdout.write(`${MARKS[step.status].padEnd(7)}${step.name}: ${step.detail}${step.durationMs ? ` (${(step.durationMs / 1000).toFixed(2)} s)` : ''}\n`),
    });
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const verdict = report.passed ? 'passed' : 'FAILED';
      io.stdout.write(`\nSelf-test ${verdict} in ${(report.durationMs / 1000).toFixed(1)} s.\n`);
    }
    return report.passed ? 0 : 1;
  },
};
