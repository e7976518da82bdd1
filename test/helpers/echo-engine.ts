// A stand-in engine worker for supervisor tests: answers `echo`, dies on `crash` with the given exit code.
import { connectToParent } from '../../src-main/base/parent-port.ts';

const port = connectToParent();
if (port === undefined) throw new Error('echo-engine must be started as a worker (fork or utility process)');
port.onMessage((message) => {
  const request = message as { type: string; value?: unknown; exitCode?: number };
  if (request.type === 'echo') port.postMessage({ type: 'echo', value: request.value, pid: process.pid });
  if (request.type === 'crash') process.exit(request.exitCode ?? 1);
});
port.postMessage({ type: 'ready', pid: process.pid });
