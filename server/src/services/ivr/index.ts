// The IVR's public entry: what other services may use of it (the service,
// identifying a caller from the CRM). Other services import from here, never
// from the IVR's own modules.

export { ivrService } from './service.js';
export type { ActiveFlowCall, IvrService, IvrServiceOptions } from './service.js';
export { SEGMENT_PRIORITY, UNKNOWN_CALLER_PRIORITY, identifyCaller } from './identify.js';
export type { CallerIdentity } from './identify.js';
