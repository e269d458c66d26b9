// @tenor/telephony: the driver contract every engine implements, its shared
// contract test suite, and the embedded engine (SIP + RTP in the Tenor process).
export * from './driver.js';
export * from './contract/index.js';
export * from './embedded/index.js';

export const version = '0.1.0';
