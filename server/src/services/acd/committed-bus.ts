// The ACD's view of the event bus: an event is published only once every write
// the ACD asked for before it is committed. Routing stays synchronous and in
// memory, but nobody (the web client, the live monitor, another service) hears
// of a call record, a callback request or an agent state that a crash right
// after could still lose: the write queue runs the publication as one more
// step after those writes.

import type { EventBus, TenorEventName, TenorEvents } from '../../core/events.js';
import type { WriteQueue } from './write-queue.js';

export function committedBus(bus: EventBus, writes: WriteQueue): EventBus {
  return {
    publish<K extends TenorEventName>(type: K, payload: TenorEvents[K]): void {
      writes.push(async () => bus.publish(type, payload));
    },
    subscribe: (type, handler) => bus.subscribe(type, handler),
    subscribeAll: (handler) => bus.subscribeAll(handler),
  };
}
