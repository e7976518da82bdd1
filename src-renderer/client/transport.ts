// How the renderer reaches main: Electron IPC (window.studio) or the studio host (HTTP + WebSocket).
import type { StudioEventName } from '../../src-preload/contract/index.ts';

export interface StudioTransport {
  readonly kind: 'ipc' | 'host';
  /** Calls a contract method; answers the unparsed wire result. */
  call(method: string, request: unknown): Promise<unknown>;
  /** Receives every event main publishes; returns the unsubscribe function. */
  subscribe(event: StudioEventName, listener: (payload: unknown) => void): () => void;
  /** The URL at which a library media path can be shown in an <img>. */
  mediaUrl(mediaPath: string): string;
}
