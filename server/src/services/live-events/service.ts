// The live events service: it owns GET /api/events (gateway.ts) and brings it
// as its routes, like every other service, so the HTTP shell names no service.
// It holds no state of its own between connections; each client reads the
// snapshot and events from the services it sees (snapshot.ts, live-client.ts).

import { defineService } from '../../core/service-manager.js';
import '../events.js';
import '../users.js';
import { liveEventsGateway, type LiveEventsOptions } from './gateway.js';

/** Nothing to call: the service is its route. */
export type LiveEventsService = Record<string, never>;

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    liveEvents: LiveEventsService;
  }
}

/** Timings of the /api/events WebSocket come in here (tests shorten them). */
export function liveEventsService(opts: LiveEventsOptions = {}) {
  return defineService<LiveEventsService>({
    name: 'liveEvents',
    version: '1.0.0',
    description: 'Live events for the web client: GET /api/events (WebSocket), a snapshot by role, then coalesced events',
    dependsOn: ['events', 'users'],
    routes: { plugin: (http) => liveEventsGateway({ services: http.services, ...opts }) },
    start: () => ({}),
  });
}
