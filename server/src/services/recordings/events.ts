// The recording events on the one event bus (noun + past tense), also on the
// live events stream (/api/events) and deliverable to webhooks. `callId` is the
// call record's id; `by` is the user (or 'system', 'script') who asked.

export interface RecordingEvent {
  recordingId: string;
  callId: string;
  /** ISO time. */
  at: string;
  by?: string;
  reason?: string;
  /** The agent connected to the call then (an agent's live events show their own calls' recordings). */
  agent?: string;
}

export interface RecordingEvents {
  recording_started: RecordingEvent;
  recording_paused: RecordingEvent;
  recording_resumed: RecordingEvent;
  recording_stopped: RecordingEvent;
}

export const recordingEventNames = ['recording_started', 'recording_paused', 'recording_resumed', 'recording_stopped'] as const;

declare module '../../core/events.js' {
  interface TenorEvents extends RecordingEvents {}
}
