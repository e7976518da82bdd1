// Entry of the engine off the main thread. As a worker thread (EngineClient) it talks over parentPort; started
// as a child process (child_process.fork) or an Electron utility process it talks over process IPC.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EngineService } from './engine-service.ts';
import type { EngineEvent, EngineOptions, EngineRequest } from './protocol.ts';

interface ElectronProcess {
  parentPort?: { on(event: 'message', listener: (e: { data: unknown }) => void): void; postMessage(message: unknown): void };
}

/** `--engine-options=<json>` from the host: the engine knows no studio folder of its own, so the host names them all. */
function optionsFromArgv(): EngineOptions {
  const json = process.argv.find((a) => a.startsWith('--engine-options='))?.slice('--engine-options='.length);
  if (json === undefined) throw new Error('The engine process needs --engine-options=<json> (at least the cacheDir).');
  return JSON.parse(json) as EngineOptions;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const service = new EngineService(workerData as EngineOptions, (event, transfer) => port.postMessage(event, transfer ?? []));
  port.on('message', (request: EngineRequest) => {
    if (request.type === 'shutdown') void service.close().then(() => port.close());
    else service.handle(request);
  });
} else {
  const electronPort = (process as unknown as ElectronProcess).parentPort;
  const send = (event: EngineEvent) => (electronPort ? electronPort.postMessage(event) : process.send?.(event));
  const service = new EngineService(optionsFromArgv(), send);
  const onRequest = (request: EngineRequest) => {
    if (request.type === 'shutdown') void service.close().then(() => process.exit(0));
    else service.handle(request);
  };
  if (electronPort) electronPort.on('message', (e) => onRequest(e.data as EngineRequest));
  else process.on('message', (m) => onRequest(m as EngineRequest));
}
