// The trunks' public entry: the service, and how a trunk reaches a running
// engine (used by the telephony service). Other services import from here,
// never from the trunks' own modules.

export { trunksService } from './service.js';
export type { TrunkFields, TrunkView, TrunksService } from './service.js';
export { engineTrunk, hasLiveTrunks } from './live-trunks.js';
export type { LiveTrunkControl } from './live-trunks.js';
