// One recording in the player ('#/recordings/<id>'): the audio (seekable: the
// server answers Range requests), its waveform with the markers and the paused
// and hold spans (a click seeks there), the speed, the markers in a list (a
// click seeks there), the download link, for supervisors and admins who listened
// and downloaded (the audit), and below the audio the recording's scorecard.
// The audio loads only when played (preload="none"): opening the page is not
// a listen, pressing play is, and the server audits it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { dateTime, duration, errorText } from '../../format.js';
import type { Me, RecordingAuditEntry, RecordingDetail, RecordingWaveform } from '../../wire.js';
import { markerTarget, spansOf } from './markers.js';
import { recordingsListHref } from './route.js';
import { ScorecardSlot } from './scorecard-slot.js';
import { WaveformView } from './waveform.js';

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;
/** Buckets drawn across the player's width: about one per pixel of a wide screen. */
const WAVEFORM_POINTS = 1000;

const markerKeys: Record<string, MessageKey> = {
  hold: 'markerHold', unhold: 'markerUnhold', pause: 'markerPause', resume: 'markerResume', transfer: 'markerTransfer', consult: 'markerConsult', agent: 'markerAgent',
};

export function Player(props: { id: string; me: Me }) {
  const { t, lang } = useI18n();
  const [recording, setRecording] = useState<RecordingDetail | null>(null);
  const [audit, setAudit] = useState<RecordingAuditEntry[] | null>(null);
  const [waveform, setWaveform] = useState<RecordingWaveform | null>(null);
  const [waveformError, setWaveformError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  const audio = useRef<HTMLAudioElement>(null);
  const supervises = props.me.user.role !== 'agent';
  const base = `/api/recordings/${encodeURIComponent(props.id)}`;

  const loadAudit = (): void => {
    if (supervises) api.get<RecordingAuditEntry[]>(`${base}/audit`).then(setAudit, (err: unknown) => setError(errorText(err)));
  };
  useEffect(() => {
    api.get<RecordingDetail>(base).then((r) => {
      setRecording(r);
      // The waveform is drawn from the audio: only a stored recording has one. Without it the audio still plays.
      if (r.audioUrl !== null) api.get<RecordingWaveform>(`${base}/waveform?points=${WAVEFORM_POINTS}`).then(setWaveform, (err: unknown) => setWaveformError(errorText(err)));
    }, (err: unknown) => setError(errorText(err)));
    loadAudit();
  }, [base]);

  const seek = (ms: number): void => {
    const el = audio.current;
    if (!el) return;
    el.currentTime = ms / 1000;
    setPositionMs(ms);
  };
  const changeSpeed = (rate: number): void => {
    setSpeed(rate);
    const el = audio.current;
    // Both: a load resets playbackRate to defaultPlaybackRate.
    if (el) { el.defaultPlaybackRate = rate; el.playbackRate = rate; }
  };

  if (error) return <p class="error" id="player-error">{t('error', { message: error })}</p>;
  if (!recording) return <p class="muted">{t('loading')}</p>;
  const durationMs = recording.durationMs ?? 0;

  return (
    <div class="recording-player" id="recording-player" data-recording={recording.id}>
      <p><a href={recordingsListHref({})} id="player-back">← {t('recordingsBack')}</a></p>
      <section class="card">
        <h2>{t('recordingOf', { time: dateTime(recording.startedAt, lang) })}</h2>
        <p class="muted" id="player-facts">
          {[recording.queue ?? recording.campaign, recording.agent, recording.customerId, duration(durationMs / 1000)].filter((x) => x).join(' · ')}
          {recording.encrypted && <span class="badge">{t('recordingsEncrypted')}</span>}
        </p>
        {recording.audioUrl === null
          ? <p class="muted" id="player-no-audio">{t('recordingNoAudio', { state: recording.state })}</p>
          : (
            <>
              <audio id="player-audio" ref={audio} controls preload="none" src={recording.audioUrl}
                onTimeUpdate={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
                onSeeked={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
                onPlaying={loadAudit} />
              {waveform
                ? <WaveformView waveform={waveform} markers={recording.markers} spans={spansOf(recording.markers, waveform.durationMs)} positionMs={positionMs} markerLabels={markerKeys} onSeek={seek} />
                : <p class="muted" id="waveform-pending">{waveformError ? t('error', { message: waveformError }) : t('waveformLoading')}</p>}
              <div class="row player-controls">
                <span>{t('recordingSpeed')}</span>
                {SPEEDS.map((rate) => (
                  <button type="button" class={`speed${rate === speed ? ' active' : ''}`} data-speed={rate} aria-pressed={rate === speed} onClick={() => changeSpeed(rate)}>{rate}×</button>
                ))}
                <span class="spacer" />
                <span id="player-position" class="muted">{duration(positionMs / 1000)} / {duration(durationMs / 1000)}</span>
                <a id="player-download" href={`${base}/download`} download>{t('recordingDownload')}</a>
              </div>
            </>
          )}
        <ScorecardSlot recording={recording} me={props.me} />
      </section>
      <section class="card">
        <h3>{t('recordingMarkers')}</h3>
        {recording.markers.length === 0
          ? <p class="muted">{t('recordingNoMarkers')}</p>
          : (
            <ol id="player-markers" class="markers">
              {recording.markers.map((m) => {
                const target = markerTarget(m.detail);
                return (
                  <li data-kind={m.kind} data-at-ms={m.atMs}>
                    <button type="button" class="link marker-seek" onClick={() => seek(m.atMs)}>{duration(m.atMs / 1000)}</button>{' '}
                    <strong>{markerKeys[m.kind] ? t(markerKeys[m.kind] as MessageKey) : m.kind}</strong>
                    {target && <span> {target}</span>}
                    {m.by && <span class="muted"> · {t('recordingBy', { who: m.by })}</span>}
                    {m.reason && <span class="muted"> · {m.reason}</span>}
                  </li>
                );
              })}
            </ol>
          )}
      </section>
      {supervises && audit && (
        <section class="card">
          <h3>{t('recordingAudit')}</h3>
          {audit.length === 0
            ? <p class="muted" id="player-audit-empty">{t('recordingAuditNone')}</p>
            : (
              <table id="player-audit">
                <thead><tr><th>{t('time')}</th><th>{t('recordingAuditUser')}</th><th>{t('recordingAuditAction')}</th></tr></thead>
                <tbody>
                  {audit.map((a) => (
                    <tr data-action={a.action} data-user={a.user}><td>{dateTime(a.at, lang)}</td><td>{a.user}</td><td>{a.action === 'listen' ? t('recordingListened') : a.action === 'download' ? t('recordingDownloaded') : a.action}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      )}
    </div>
  );
}
