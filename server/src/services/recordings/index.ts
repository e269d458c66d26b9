// Call recording's public entry: the service, its site-file section, its
// events and the shape others reach through `services.get('recordings')`.
// Other services declare the part they need structurally (docs/recording.md).

export { recordingsService, type RecordingsService } from './service.js';
export { recordingConfigSection, type RecordingSettings, type RecordingPolicyConfig } from './config-schema.js';
export type { RecordingEvent, RecordingEvents } from './events.js';
export { recordingEventNames } from './events.js';
export type { ControlAction, ControlRequest, ControlResult } from './recordings.js';
