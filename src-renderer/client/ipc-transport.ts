// The Electron transport: window.studio, exposed by the preload with one function per contract method.
import { electronMediaUrl } from '../../src-preload/contract/media.ts';
import type { StudioApi } from '../../src-preload/contract/index.ts';
import type { StudioTransport } from './transport.ts';

declare global {
  interface Window {
    /** Present only inside the Electron window (see src-preload/preload.ts). */
    studio?: StudioApi;
  }
}

export function ipcTransport(studio: StudioApi): StudioTransport {
  return {
    kind: 'ipc',
    call: (method, request) => {
      const [namespace = '', name = ''] = method.split('.');
      const group = (studio as unknown as Record<string, Record<string, ((request: unknown) => Promise<unknown>) | undefined> | undefined>)[namespace];
      const fn = group?.[name];
      if (fn === undefined) return Promise.reject(new Error(`window.studio has no ${method}`));
      return fn(request);
    },
    subscribe: (event, listener) => studio.on(event, listener as never),
    mediaUrl: electronMediaUrl,
  };
}
