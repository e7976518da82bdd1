// Ways to start the engine worker as a separate process, behind one small interface the supervisor uses:
// Electron's utility process (the desktop app) or Node's child_process.fork (host, CLI, tests).
import { fork } from 'node:child_process';
import type { UtilityProcess } from 'electron';

export interface EngineProcess {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone; `exitCode` is null when a signal ended it. */
  onExit(listener: (exitCode: number | null) => void): void;
  kill(): void;
}

/** Starts `modulePath` with child_process.fork (structured-clone IPC, like a utility process). */
export function forkEngineProcess(modulePath: string, args: string[] = []): EngineProcess {
  const child = fork(modulePath, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

/** Wraps an Electron utility process (`utilityProcess.fork(...)`, called by main.ts after app ready). */
export function utilityEngineProcess(child: UtilityProcess): EngineProcess {
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}
