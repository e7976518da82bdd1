import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/helpers/fixtures.ts';
import { forkEngineProcess } from './engine-process.ts';
import { EngineSupervisor, type EngineStatus } from './engine-supervisor.ts';

const echoEngine = path.join(repoRoot, 'test/helpers/echo-engine.ts');

/** A supervisor over real forked processes, with a queue of what it reported. */
function supervise(options: { maxCrashes?: number } = {}) {
  const statuses: EngineStatus[] = [];
  const messages: Array<{ type: string; value?: unknown; pid: number }> = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((wake) => wake());
  const supervisor = new EngineSupervisor({
    spawn: () => forkEngineProcess(echoEngine),
    onMessage: (message) => {
      messages.push(message as { type: string; pid: number });
      notify();
    },
    onStatus: (status) => {
      statuses.push(status);
      notify();
    },
    restartDelayMs: (crashCount) => 20 * crashCount,
    ...options,
  });
  const until = async (condition: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      assert.ok(Date.now() < deadline, `timed out; statuses: ${JSON.stringify(statuses)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const readyCount = () => messages.filter((m) => m.type === 'ready').length;
  return { supervisor, statuses, messages, until, readyCount };
}

test('the engine runs in another process and answers messages', async () => {
  const { supervisor, messages, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1);
  assert.notEqual(messages[0]?.pid, process.pid);
  assert.equal(supervisor.send({ type: 'echo', value: 'hello' }), true);
  await until(() => messages.some((m) => m.type === 'echo'));
  assert.equal(messages.find((m) => m.type === 'echo')?.value, 'hello');
  await supervisor.stop();
  assert.equal(supervisor.send({ type: 'echo' }), false);
});

test('a crash is reported with its exit code and the engine comes back in a new process', async () => {
  const { supervisor, statuses, messages, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1);
  supervisor.send({ type: 'crash', exitCode: 7 });
  await until(() => readyCount() === 2);
  const crash = statuses.find((s) => s.state === 'crashed');
  assert.deepEqual(crash, { state: 'crashed', exitCode: 7, crashCount: 1, restartInMs: 20 });
  const pids = messages.filter((m) => m.type === 'ready').map((m) => m.pid);
  assert.notEqual(pids[0], pids[1]);
  supervisor.send({ type: 'echo', value: 'after crash' });
  await until(() => messages.some((m) => m.value === 'after crash'));
  await supervisor.stop();
  assert.deepEqual(statuses.at(-1), { state: 'stopped' });
});

test('restarts back off and stop after too many crashes, until restarted by hand', async () => {
  const { supervisor, statuses, until, readyCount } = supervise({ maxCrashes: 2 });
  supervisor.start();
  for (let crash = 1; crash <= 3; crash += 1) {
    await until(() => readyCount() === crash);
    supervisor.send({ type: 'crash', exitCode: 3 });
    await until(() => statuses.filter((s) => s.state === 'crashed' || s.state === 'gave-up').length === crash);
  }
  assert.deepEqual(statuses.filter((s) => s.state === 'crashed').map((s) => s.state === 'crashed' && s.restartInMs), [20, 40]);
  assert.deepEqual(statuses.at(-1), { state: 'gave-up', exitCode: 3, crashCount: 3 });
  assert.equal(supervisor.isRunning, false);
  supervisor.restart();
  await until(() => readyCount() === 4);
  assert.equal(supervisor.isRunning, true);
  await supervisor.stop();
});

test('a hand restart of a running engine replaces it at once without counting a crash', async () => {
  const { supervisor, statuses, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1);
  supervisor.restart();
  await until(() => readyCount() === 2);
  assert.ok(!statuses.some((s) => s.state === 'crashed'));
  await supervisor.stop();
});
