// The two ways a renderer reaches main, built for Node tests: the studio host over HTTP + WebSocket with the bearer
// token, and Electron IPC (the real preload bridge and IPC registration, joined by an in-memory channel pair since
// the Electron binary is not available). Both answer exactly the `StudioApi` type.
import { EventEmitter } from 'node:events';
import type { IpcMainInvokeEvent } from 'electron';
import { WebSocket } from 'ws';
import { studioApi, type MethodDefinition, type StudioApi } from '../../src-preload/contract/index.ts';
import { buildStudioBridge } from '../../src-preload/studio-bridge.ts';
import type { Studio } from '../../src-main/app/compose.ts';
import { forwardStudioEvents, registerStudioIpc } from '../../src-main/app/ipc.ts';

export type TestStudioClient = StudioApi & {
  close(): void;
  /** Resolves once event subscriptions are live. */
  ready(): Promise<unknown>;
};

/** A StudioApi that POSTs to /api/<method> with `Authorization: Bearer` and receives events over /events. */
export function httpStudioClient(origin: string, token: string): TestStudioClient {
  const sockets: WebSocket[] = [];
  const client: Record<string, unknown> = {
    on: (event: string, listener: (payload: unknown) => void) => {
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/events`, { headers: { Authorization: `Bearer ${token}` } });
      sockets.push(socket);
      socket.on('message', (data) => {
        const envelope = JSON.parse(String(data)) as { event: string; payload: unknown };
        if (envelope.event === event) listener(envelope.payload);
      });
      return () => socket.close();
    },
    /** Resolves once every event socket is open (events sent before that are not seen). */
    ready: () => Promise.all(sockets.map((socket) => (socket.readyState === socket.OPEN ? undefined : new Promise((resolve) => socket.once('open', resolve))))),
    close: () => sockets.forEach((socket) => socket.close()),
  };
  for (const [namespace, methods] of Object.entries(studioApi)) {
    const group: Record<string, (request: unknown) => Promise<unknown>> = {};
    for (const name of Object.keys(methods as Record<string, MethodDefinition>)) {
      group[name] = async (request) => {
        const response = await fetch(`${origin}/api/${namespace}.${name}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(request),
        });
        return response.json();
      };
    }
    client[namespace] = group;
  }
  return client as TestStudioClient;
}

/** The preload bridge talking to registerStudioIpc through an in-memory stand-in for Electron's IPC pair. */
export function ipcStudioClient(studio: Studio): TestStudioClient {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  const rendererSide = new EventEmitter();
  const frame = { url: 'studio://app/index.html' };
  const unregister = registerStudioIpc(
    { handle: (channel, listener) => handlers.set(channel, listener), removeHandler: (channel) => handlers.delete(channel) },
    studio.dispatch,
    (event) => event.senderFrame?.url === frame.url,
  );
  const stopEvents = forwardStudioEvents(studio.events, { send: (channel: string, ...args: unknown[]) => rendererSide.emit(channel, {}, ...args), isDestroyed: () => false });
  const bridge = buildStudioBridge({
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
      // Like Electron, only structured-cloneable data crosses.
      return structuredClone(await handler({ senderFrame: frame } as unknown as IpcMainInvokeEvent, ...args.map((arg) => structuredClone(arg))));
    },
    on: (channel, listener) => rendererSide.on(channel, listener),
    removeListener: (channel, listener) => rendererSide.removeListener(channel, listener),
  });
  return Object.assign(Object.create(null) as object, bridge, {
    close: () => {
      stopEvents();
      unregister();
    },
    ready: () => Promise.resolve(),
  }) as TestStudioClient;
}
