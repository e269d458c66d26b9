// The one internal event bus. Components publish typed events (noun + past
// tense: `call_queued`, `agent_state_changed`); the live monitor, the web client
// and reports subscribe. In-process today; the interface is what a NATS or Redis
// bus will implement when a site outgrows one process.

/** Event names and payloads; each component augments this map for its own events. */
export interface TenorEvents {
  service_changed: { name: string; version: string; status: string };
}

export type TenorEventName = keyof TenorEvents & string;

export interface TenorEvent<K extends TenorEventName = TenorEventName> {
  type: K;
  payload: TenorEvents[K];
  /** ISO time of publication. */
  at: string;
  /** Increases by one per event published on this bus. */
  seq: number;
}

export interface EventBus {
  publish<K extends TenorEventName>(type: K, payload: TenorEvents[K]): void;
  /** Returns a function that unsubscribes. */
  subscribe<K extends TenorEventName>(type: K, handler: (event: TenorEvent<K>) => void): () => void;
  subscribeAll(handler: (event: TenorEvent) => void): () => void;
}

type AnyHandler = (event: TenorEvent) => void;

export class InProcessEventBus implements EventBus {
  readonly #byType = new Map<string, Set<AnyHandler>>();
  readonly #all = new Set<AnyHandler>();
  readonly #onError: (err: unknown, event: TenorEvent) => void;
  #seq = 0;

  /** onError: a failing subscriber is reported here and never stops delivery to the others. */
  constructor(onError: (err: unknown, event: TenorEvent) => void) {
    this.#onError = onError;
  }

  publish<K extends TenorEventName>(type: K, payload: TenorEvents[K]): void {
    const event = { type, payload, at: new Date().toISOString(), seq: ++this.#seq } as TenorEvent;
    for (const handler of [...(this.#byType.get(type) ?? []), ...this.#all]) {
      try {
        handler(event);
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }

  subscribe<K extends TenorEventName>(type: K, handler: (event: TenorEvent<K>) => void): () => void {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, (set = new Set()));
    const h = handler as unknown as AnyHandler;
    set.add(h);
    return () => set.delete(h);
  }

  subscribeAll(handler: (event: TenorEvent) => void): () => void {
    this.#all.add(handler);
    return () => this.#all.delete(handler);
  }
}
