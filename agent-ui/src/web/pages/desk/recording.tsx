// The recording of the agent's call, on the desktop: the desk learns from the
// live snapshot (each call's `recording`, so a reload mid-call still shows it)
// and from the live events between snapshots (recording_started, _paused,
// _resumed, _stopped, which the server sends to the agent on that call)
// whether the call is being recorded, and
// offers "Pause recording" / "Resume recording" while it is (PCI: card details
// are read out with the recording paused). The button calls
// POST /api/calls/:callId/recording (docs/recording.md).
import { useState } from 'preact/hooks';
import type { LiveSnapshot } from '../../wire.js';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { duration, errorText } from '../../format.js';

export type RecordingState = 'recording' | 'paused';

export interface RecordingChange {
  callId: string;
  /** undefined: the recording stopped (the call is no longer recorded). */
  state: RecordingState | undefined;
  by: string | undefined;
}

const STATES: Readonly<Record<string, RecordingState | undefined>> = {
  recording_started: 'recording',
  recording_resumed: 'recording',
  recording_paused: 'paused',
  recording_stopped: undefined,
};

/**
 * A recording event from the live stream as a change of a call's recording, or
 * undefined for any other event. Read by shape: the recording service declares
 * these events, and the desk must not break on a payload it does not expect.
 */
export function recordingChangeOf(event: { type: string; payload: unknown }): RecordingChange | undefined {
  if (!(event.type in STATES)) return undefined;
  const p = event.payload;
  if (typeof p !== 'object' || p === null) return undefined;
  const { callId, by } = p as { callId?: unknown; by?: unknown };
  if (typeof callId !== 'string') return undefined;
  return { callId, state: STATES[event.type], by: typeof by === 'string' ? by : undefined };
}

/** The calls being recorded now, by call id, after one change. */
export function withRecordingChange(recordings: Readonly<Record<string, RecordingState>>, change: RecordingChange): Record<string, RecordingState> {
  const next = { ...recordings };
  if (change.state === undefined) delete next[change.callId];
  else next[change.callId] = change.state;
  return next;
}

/**
 * The calls being recorded as of a snapshot: the snapshot is built after the events that led to
 * it, so it replaces what the events said (and brings the state back after a reload).
 */
export function recordingsOfSnapshot(snapshot: LiveSnapshot): Record<string, RecordingState> {
  const out: Record<string, RecordingState> = {};
  for (const call of snapshot.calls) if (call.recording) out[call.callId] = call.recording.state;
  if (snapshot.current?.recording) out[snapshot.current.callId] = snapshot.current.recording.state;
  return out;
}

/** `seconds`: how long it has been recording or paused (from the live snapshot's `since`), when known. */
export function RecordingControl(props: { callId: string; state: RecordingState | undefined; seconds?: number | undefined }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (props.state === undefined) return null;
  const paused = props.state === 'paused';
  const act = (action: 'pause' | 'resume'): void => {
    setError(null);
    setBusy(true);
    // The live events bring the new state (recording_paused / _resumed); the answer only reports a failure.
    api.post(`/api/calls/${encodeURIComponent(props.callId)}/recording`, { action })
      .then(() => undefined, (err: unknown) => setError(t('error', { message: errorText(err) })))
      .finally(() => setBusy(false));
  };
  return (
    <div class="recording-control row" id="recording-control" data-recording={props.state}>
      {paused
        ? <span class="badge hold" id="recording-paused">{t('recordingPaused')}</span>
        : <span class="badge" id="recording-on">{t('recordingOn')}</span>}
      {props.seconds !== undefined && <span class="muted" id="recording-since">{duration(props.seconds)}</span>}
      {paused
        ? <button id="recording-resume" class="primary" disabled={busy} onClick={() => act('resume')}>{t('resumeRecording')}</button>
        : <button id="recording-pause" disabled={busy} onClick={() => act('pause')}>{t('pauseRecording')}</button>}
      {error && <p class="error" id="recording-error">{error}</p>}
    </div>
  );
}
