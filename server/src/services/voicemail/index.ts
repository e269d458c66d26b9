// Voicemail's public entry: what other services may use of it (the service
// and its types, what the reports read). Other services import from here,
// never from voicemail's own modules.

export { voicemailService } from './service.js';
export { voicemailConfigSection } from './config-schema.js';
export type { VoicemailServiceOptions } from './service.js';
export type { VoicemailBox, VoicemailMessage, VoicemailService, VoicemailServiceHandle, VoicemailStatus } from './types.js';
export type { VoicemailMessageFacts, VoicemailReportReader } from './report-reader.js';
