// The browser phone's public entry: the service (GET /api/phone and the /sip
// WebSocket) and the wire type of GET /api/phone the web client uses.
// Other services import from here, never from this folder's modules.

export { webrtcPhoneService } from './service.js';
export type { WebrtcPhoneService } from './service.js';
export type { SipGatewayOptions } from './sip-gateway.js';
export { SIP_WS_PATH, PhoneInfoSchema, type PhoneInfo } from './phone-info.js';
