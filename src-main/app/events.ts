// The event bus main-process services publish on; each transport (IPC, WebSocket) forwards it to its renderers.
import { studioEvents, type StudioEventEnvelope, type StudioEventName, type StudioEventPayload } from '../../src-preload/contract/events.ts';

type Listener = (envelope: StudioEventEnvelope) => void;

export class StudioEventBus {
  readonly #listeners = new Set<Listener>();

  /** Publishes an event; the payload is checked against the contract so no transport carries a malformed one. */
  emit<E extends StudioEventName>(event: E, payload: StudioEventPayload<E>): void {
    const envelope: StudioEventEnvelope = { event, payload: studioEvents[event].parse(payload) };
    for (const listener of this.#listeners) listener(envelope);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
