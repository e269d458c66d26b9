// Public surface of the SIP transport/transaction/dialog layer (the message layer is exported from index.ts).

export { SipStack, type SipStackOptions, type SipStackStats, type SipStackEvents, type RequestHandler, type ListenConfig, type AcceptOptions } from './stack.js';
export { Dialog, dialogKey, dialogKeyOfRequest, dialogKeyOfResponse, endpointOf, type DialogEvents, type DialogRole, type InDialogRequestOptions } from './dialog.js';
export { RateLimiter, DEFAULT_RATE_LIMIT, type RateLimitConfig, type BanReason } from './rate-limit.js';
export { TimerSet, DEFAULT_SIP_TIMERS, resolveTimers, type SipTimerConfig, type TimerHandle } from './timers.js';
export { DEFAULT_TRANSPORT_LIMITS, type InboundSource, type SipTransport, type TransportLimits, type TransportHandlers } from './transport/common.js';
export { UdpTransport, type UdpTransportOptions } from './transport/udp.js';
export { TcpTransport, type TcpTransportOptions } from './transport/tcp.js';
export { stampReceived, responseDestination, topVia } from './transport/via.js';
export * from './transaction/index.js';
