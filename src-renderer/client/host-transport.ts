// The studio host transport: POST /api/<method> with JSON, events over the /events WebSocket. The access token
// travels in the HttpOnly cookie the host set on the first page load, so this code never sees it.
import { hostMediaUrl } from '../../src-preload/contract/media.ts';
import type { StudioEventEnvelope, StudioEventName } from '../../src-preload/contract/index.ts';
import type { StudioTransport } from './transport.ts';

const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];

export function hostTransport(origin = window.location.origin): StudioTransport {
  const listeners = new Map<StudioEventName, Set<(payload: unknown) => void>>();
  let socket: WebSocket | undefined;
  let attempts = 0;

  function connect(): void {
    socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/events`);
    socket.addEventListener('open', () => {
      attempts = 0;
    });
    socket.addEventListener('message', (message) => {
      const envelope = JSON.parse(String(message.data)) as StudioEventEnvelope;
      for (const listener of listeners.get(envelope.event) ?? []) listener(envelope.payload);
    });
    socket.addEventListener('close', () => {
      socket = undefined;
      if (listeners.size === 0) return;
      const delay = RECONNECT_DELAYS_MS[Math.min(attempts++, RECONNECT_DELAYS_MS.length - 1)];
      setTimeout(() => {
        if (socket === undefined && listeners.size > 0) connect();
      }, delay);
    });
  }

  return {
    kind: 'host',
    call: async (method, request) => {
      const response = await fetch(`${origin}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
      });
      if (response.headers.get('content-type')?.startsWith('application/json') !== true) {
        return { ok: false, error: { code: 'internal', userMessage: `The studio answered ${response.status} ${response.statusText}.` } };
      }
      return response.json();
    },
    subscribe: (event, listener) => {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      set.add(listener);
      if (socket === undefined) connect();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(event);
        if (listeners.size === 0) socket?.close();
      };
    },
    mediaUrl: (mediaPath) => `${origin}${hostMediaUrl(mediaPath)}`,
  };
}
