// The SIP device secrets' public entry: what other services may use of them.
// Other services import from here, never from this service's own modules.

// The secret policy first, straight from its own module: this service imports
// the ACD's entry and the ACD's routes read MIN_DEVICE_SECRET_LENGTH when they
// load, so it must be set before service.js (and through it the ACD) loads.
export { MIN_DEVICE_SECRET_LENGTH } from './secret-policy.js';
export { generateDeviceSecret, sipCredentialsService } from './service.js';
export type { AgentSipDevice, DeviceDigest, DigestMaterial, SipCredentialsService, SipSecretStatus } from './service.js';
