// Call recording's public entry: the service, its site-file section, its
// events and the shape others reach through `services.get('recordings')`.
// Other services declare the part they need structurally (docs/recording.md).

export { recordingsService, type RecordingsService } from './service.js';
export { recordingConfigSection, type RecordingSettings, type RecordingPolicyConfig } from './config-schema.js';
export type { RecordingEvent, RecordingEvents } from './events.js';
export { recordingEventNames } from './events.js';
export type { ControlAction, ControlRequest, ControlResult, LiveRecordingState } from './recordings.js';
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
