export { parseRtp, serializeRtp } from './packet.js';
export type { RtpPacket, RtpHeaderExtension, RtpParseResult } from './packet.js';
export { RtpPortAllocator, PortRangeExhaustedError } from './ports.js';
export type { PortRange } from './ports.js';
export { RtpSession } from './session.js';
export { RtpSocketPool, IDLE_SOCKETS_MAX } from './socket-pool.js';
export type { RtpEndpoint, RtpSessionOptions, RtpStats, RtpSessionEvents } from './session.js';
export { SrtpContext, SRTP_SUITES, deriveSessionKey } from './srtp.js';
export type { SrtpKeys, SrtpSuite, SrtpDropCounts, SrtpUnprotectResult } from './srtp.js';
