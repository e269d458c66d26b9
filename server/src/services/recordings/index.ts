// Call recording's public entry: the service, its site-file section, its
// events and the shape others reach through `services.get('recordings')`.
// Other services declare the part they need structurally (docs/recording.md).

// The policy's schema first: queues, campaigns and flows read it while their modules load, and the
// service below imports the ACD's entry, so this module can be entered from inside that cycle.
export { recordingConfigSection, RecordingPolicySchema, type RecordingSettings, type RecordingPolicyConfig } from './config-schema.js';
export { recordingsService, type RecordingsService } from './service.js';
export type { RecordingEvent, RecordingEvents } from './events.js';
export { recordingEventNames } from './events.js';
export type { ControlAction, ControlRequest, ControlResult, LiveRecordingState, OutsideCallToRecord } from './recordings.js';
// Recordings at rest (docs/recording-at-rest.md): the vault, its key file's check, retention, rekey.
export { RecordingVault, recordingVaultOptions, type RecordingVaultOptions, type StoredRecording } from './vault.js';
export { validateRecordingEncryption } from './vault-keys.js';
export { startRetention, type Retention, type RetentionOptions } from './retention.js';
export { rekeyRecordings, type RekeyReport } from './vault-rekey.js';
export { recordingMigrations } from './migrations.js';
// Playback (docs/recording.md, "Playback"): which past calls have a recording a user may play.
export { playableRecordings } from './playable.js';
// quality (Q): evaluations name a recording's row.
export type { RecordingRow } from './repository.js';
