// The IVR's public entry: what other services may use of it. Other services
// import from here, never from the IVR's own modules.

export { ivrService } from './service.js';
export type { ActiveFlowCall, IvrService, IvrServiceOptions } from './service.js';
