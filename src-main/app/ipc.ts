// Serves the contract over Electron IPC: one ipcMain.handle per method, every request validated by the dispatch,
// and studio events forwarded to a window. The Electron main (src-main/electron) calls these two functions.
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, ipcChannel, METHOD_NAMES } from '../../src-preload/contract/index.ts';
import type { Dispatch } from './dispatch.ts';
import type { StudioEventBus } from './events.ts';

/** The part of Electron's ipcMain this uses. */
export interface MainIpc {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Registers a handler per contract method. `isTrustedSender` must accept only the studio's own window and page
 * (check event.senderFrame's URL); a call from anything else answers `unauthorized`. Returns the unregister function.
 */
export function registerStudioIpc(ipcMain: MainIpc, dispatch: Dispatch, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), (event, request) => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'unauthorized', userMessage: 'This window may not use the studio.' } };
      }
      return dispatch(method, request);
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
  };
}

/** Sends every studio event to a window until it closes; returns the stop function. */
export function forwardStudioEvents(events: StudioEventBus, webContents: Pick<WebContents, 'send' | 'isDestroyed'>): () => void {
  return events.subscribe((envelope) => {
    if (!webContents.isDestroyed()) webContents.send(IPC_EVENT_CHANNEL, envelope);
  });
}
