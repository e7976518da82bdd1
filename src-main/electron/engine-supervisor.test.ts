import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/helpers/fixtures.ts';
import { waitUntil } from '../../test/helpers/wait-until.ts';
import { forkEngineProcess } from './engine-process.ts';
import { EngineSupervisor, type EngineStatus } from './engine-supervisor.ts';

const echoEngine = path.join(repoRoot, 'test/helpers/echo-engine.ts');

/** A supervisor over real forked processes, with a queue of what it reported. */
function supervise(options: { maxCrashes?: number } = {}) {
  const statuses: EngineStatus[] = [];
  const messages: Array<{ type: string; value?: unknown; pid: number }> = [];
  const supervisor = new EngineSupervisor({
    spawn: () => forkEngineProcess(echoEngine),
    onMessage: (message) => void messages.push(message as { type: string; pid: number }),
    onStatus: (status) => void statuses.push(status),
    restartDelayMs: (crashCount) => 20 * crashCount,
    ...options,
  });
  const until = (condition: () => boolean, what: string) => waitUntil(condition, { what, observe: () => statuses });
  const readyCount = () => messages.filter((m) => m.type === 'ready').length;
  return { supervisor, statuses, messages, until, readyCount };
}

test('the engine runs in another process and answers messages', async () => {
  const { supervisor, messages, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1, 'the first ready message');
  assert.notEqual(messages[0]?.pid, process.pid);
  assert.equal(supervisor.send({ type: 'echo', value: 'hello' }), true);
  await until(() => messages.some((m) => m.type === 'echo'), 'the echo');
  assert.equal(messages.find((m) => m.type === 'echo')?.value, 'hello');
  await supervisor.stop();
  assert.equal(supervisor.send({ type: 'echo' }), false);
});

test('a crash is reported with its exit code and the engine comes back in a new process', async () => {
  const { supervisor, statuses, messages, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1, 'the first ready message');
  supervisor.send({ type: 'crash', exitCode: 7 });
  await until(() => readyCount() === 2, 'the second ready message (a new process)');
  const crash = statuses.find((s) => s.state === 'crashed');
  assert.deepEqual(crash, { state: 'crashed', exitCode: 7, crashCount: 1, restartInMs: 20 });
  const pids = messages.filter((m) => m.type === 'ready').map((m) => m.pid);
  assert.notEqual(pids[0], pids[1]);
  supervisor.send({ type: 'echo', value: 'after crash' });
  await until(() => messages.some((m) => m.value === 'after crash'), 'the echo after the crash');
  await supervisor.stop();
  assert.deepEqual(statuses.at(-1), { state: 'stopped' });
});

test('restarts back off and stop after too many crashes, until restarted by hand', async () => {
  const { supervisor, statuses, until, readyCount } = supervise({ maxCrashes: 2 });
  supervisor.start();
  for (let crash = 1; crash <= 3; crash += 1) {
    await until(() => readyCount() === crash, `ready message ${crash}`);
    supervisor.send({ type: 'crash', exitCode: 3 });
    await until(() => statuses.filter((s) => s.state === 'crashed' || s.state === 'gave-up').length === crash, `crash ${crash} reported`);
  }
  assert.deepEqual(statuses.filter((s) => s.state === 'crashed').map((s) => s.state === 'crashed' && s.restartInMs), [20, 40]);
  assert.deepEqual(statuses.at(-1), { state: 'gave-up', exitCode: 3, crashCount: 3 });
  assert.equal(supervisor.isRunning, false);
  supervisor.restart();
  await until(() => readyCount() === 4, 'the ready message after the hand restart');
  assert.equal(supervisor.isRunning, true);
  await supervisor.stop();
});

test('a hand restart of a running engine replaces it at once without counting a crash', async () => {
  const { supervisor, statuses, until, readyCount } = supervise();
  supervisor.start();
  await until(() => readyCount() === 1, 'the first ready message');
  supervisor.restart();
  await until(() => readyCount() === 2, 'the second ready message (a new process)');
  assert.ok(!statuses.some((s) => s.state === 'crashed'));
  await supervisor.stop();
});
