// Builds `window.studio` from the contract: one function per method, each on its own IPC channel, plus `on` for events.
// Kept apart from preload.ts (which only wires Electron in) so it can be tested without the Electron binary.
import { IPC_EVENT_CHANNEL, ipcChannel, STUDIO_EVENT_NAMES, studioApi, type MethodName, type StudioApi, type StudioEventEnvelope, type StudioEventName } from './contract/index.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function buildStudioBridge(ipc: RendererIpc): StudioApi {
  const bridge: Record<string, unknown> = {};
  for (const [namespace, methods] of Object.entries(studioApi)) {
    const group: Record<string, (request: unknown) => Promise<unknown>> = {};
    for (const name of Object.keys(methods)) {
      const channel = ipcChannel(`${namespace}.${name}` as MethodName);
      // Only the request crosses: the renderer never reaches ipcRenderer or a channel outside the contract.
      group[name] = (request) => ipc.invoke(channel, request ?? {});
    }
    bridge[namespace] = Object.freeze(group);
  }
  bridge.on = (event: StudioEventName, listener: (payload: unknown) => void): (() => void) => {
    if (!STUDIO_EVENT_NAMES.includes(event)) throw new Error(`Unknown studio event "${String(event)}"`);
    const forward = (_event: unknown, envelope: unknown): void => {
      const { event: name, payload } = envelope as StudioEventEnvelope;
      if (name === event) listener(payload);
    };
    ipc.on(IPC_EVENT_CHANNEL, forward);
    return () => void ipc.removeListener(IPC_EVENT_CHANNEL, forward);
  };
  return Object.freeze(bridge) as StudioApi;
}
