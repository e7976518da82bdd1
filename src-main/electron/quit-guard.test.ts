import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createQuitGuard, quitConfirmation } from './quit-guard.ts';

function harness(activeJobs: number, answers: boolean[], recordingFails = false) {
  const log: string[] = [];
  const guard = createQuitGuard({
    activeJobCount: () => activeJobs,
    confirmQuit: async (count) => {
      log.push(`asked about ${count}`);
      return answers.shift() ?? false;
    },
    interruptActiveJobs: async () => {
      if (recordingFails) throw new Error('database is locked');
      log.push('jobs recorded as interrupted');
    },
    quit: () => log.push('quit'),
    onError: (error) => log.push(`logged: ${(error as Error).message}`),
  });
  const quitAttempt = (): boolean => {
    let prevented = false;
    guard.onBeforeQuit({ preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { log, quitAttempt };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('quits at once when no job is running', () => {
  const { log, quitAttempt } = harness(0, []);
  assert.equal(quitAttempt(), false);
  assert.deepEqual(log, []);
});

test('asks first; "keep working" keeps the app and the jobs running', async () => {
  const { log, quitAttempt } = harness(2, [false]);
  assert.equal(quitAttempt(), true);
  await settle();
  assert.deepEqual(log, ['asked about 2']);
  assert.equal(quitAttempt(), true, 'a later quit asks again');
});

test('"quit anyway" records the jobs as interrupted, then quits, and the next before-quit passes', async () => {
  const { log, quitAttempt } = harness(1, [true]);
  assert.equal(quitAttempt(), true);
  assert.equal(quitAttempt(), true, 'a second Ctrl+Q while asking is held back');
  await settle();
  assert.deepEqual(log, ['asked about 1', 'jobs recorded as interrupted', 'quit']);
  assert.equal(quitAttempt(), false);
});

test('a failure while recording the jobs is logged and the app still quits', async () => {
  const { log, quitAttempt } = harness(1, [true], true);
  quitAttempt();
  await settle();
  assert.deepEqual(log, ['asked about 1', 'logged: database is locked', 'quit']);
});

test('the dialog says what happens to the jobs', () => {
  assert.match(quitConfirmation(1).message, /A generation is/);
  assert.match(quitConfirmation(3).message, /3 generations are/);
  assert.match(quitConfirmation(3).detail, /interrupted/);
});
