import { defineService } from '../core/service-manager.js';
import { InProcessEventBus, type EventBus } from '../core/events.js';

declare module '../core/service-manager.js' {
  interface ServiceMap {
    events: EventBus;
  }
}

export function eventsService() {
  return defineService<EventBus>({
    name: 'events',
    version: '1.0.0',
    description: 'Event bus for live events (in process)',
    start: (ctx) => new InProcessEventBus((err, event) => ctx.logger.error({ err, event: event.type }, 'event subscriber failed')),
  });
}
