// Public surface of the SIP message layer: types, parse/serialize, URIs,
// header helpers and request/response validation.
export type * from './message.js';
export * from './parse.js';
export * from './serialize.js';
export * from './uri.js';
export * from './names.js';
export * from './headers.js';
export * from './validate.js';
