// @tenor/telephony: the driver contract every engine implements, its shared
// contract test suite, the embedded engine (SIP + RTP in the Tenor process),
// the FreeSWITCH engine (driver over the event socket, and a runner), the
// drachtio engine (drachtio-server as the SIP edge, FreeSWITCH for the media,
// and a runner), and the WAV reader/writer and resampler everyone uses.
export * from './driver.js';
export * from './audio/index.js';
export * from './contract/index.js';
export * from './embedded/index.js';
export * from './freeswitch/index.js';
export * from './drachtio/index.js';
// The optional rtpengine media relay (issue 19).
export * from './rtpengine/index.js';

export const version = '0.1.0';
