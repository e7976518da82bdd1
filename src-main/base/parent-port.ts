// The message channel from a worker process to the process that started it: Electron's utility-process
// `parentPort` when running under Electron, Node's IPC channel when started with child_process.fork
// (the studio host, the CLI and tests). Engine workers use this and stay free of Electron.

export interface ParentPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Structural view of Electron's `process.parentPort`, so this file needs no Electron types. */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** The parent's port, or undefined when this process was not started as a worker. */
export function connectToParent(): ParentPort | undefined {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return {
      postMessage: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined) return undefined;
  return {
    postMessage: (message) => void send(message),
    onMessage: (listener) => void process.on('message', listener),
  };
}
