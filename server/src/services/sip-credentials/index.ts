// The SIP device secrets' public entry: what other services may use of them.
// Other services import from here, never from this service's own modules.

export { MIN_DEVICE_SECRET_LENGTH, generateDeviceSecret, sipCredentialsService } from './service.js';
export type { AgentSipDevice, DeviceDigest, DigestMaterial, SipCredentialsService, SipSecretStatus } from './service.js';
