// A stand-in engine worker for supervisor tests (started with child_process.fork): answers `echo`, dies on
// `crash` with the given exit code. The real worker is src-main/engine/worker/engine-worker.ts.
if (process.send === undefined) throw new Error('echo-engine must be started with child_process.fork');
const send = process.send.bind(process);
process.on('message', (message) => {
  const request = message as { type: string; value?: unknown; exitCode?: number };
  if (request.type === 'echo') send({ type: 'echo', value: request.value, pid: process.pid });
  if (request.type === 'crash') process.exit(request.exitCode ?? 1);
});
send({ type: 'ready', pid: process.pid });
