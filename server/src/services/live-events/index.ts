// The live events' public entry: the service, its options, and the wire types
// of GET /api/events that the web client and other services (campaigns' live
// view) use. Import from here, never from the modules of this folder.

export { liveEventsService } from './service.js';
export type { LiveEventsService } from './service.js';
export { LIVE_EVENTS_PATH, type LiveEventsOptions } from './gateway.js';
export * from './types.js';
