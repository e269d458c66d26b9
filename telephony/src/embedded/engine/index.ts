export { EmbeddedDriver } from './driver.js';
export { EmbeddedCall, CallStateError } from './call.js';
export type { EmbeddedDriverConfig } from './config.js';
export { TrunkTable, type TrunkConfig, type TrunkRegistrationState } from './trunks.js';
export { causeForStatus, refusalFor } from './causes.js';
