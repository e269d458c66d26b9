// The dialing policy's public entry: what other services may use of it. Other
// services import from here, never from the dialing policy's own modules.

export { dialingService } from './service.js';
export type { AuthorizeRequest, DialingPolicyView, DialingService, DialingStats } from './service.js';
export { DialingRefusedError } from './guard.js';
export { dialingConfigSection } from './config-schema.js';
export type { LiveDialing, RecentRefusal } from './recent.js';
