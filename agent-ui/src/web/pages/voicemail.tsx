// The agent's voicemail: the messages of the boxes this user may read, newest first;
// play (the browser's audio element streams the WAV; playing marks the message heard),
// mark heard or handled, call back through the ACD (the box's queue, or one the agent
// picks for boxes without a queue of their own). Reloads every 30 s for new messages.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { VoicemailBoxInfo, VoicemailMessage } from '../wire.js';
import { useI18n } from '../i18n/index.js';
import { dateTime, duration, errorText } from '../format.js';

const reloadEveryMs = 30_000;
const statusKeys = { new: 'vmStatusNew', heard: 'vmStatusHeard', handled: 'vmStatusHandled' } as const;

export function VoicemailList(props: { queues: string[] }) {
  const { t, lang } = useI18n();
  const [messages, setMessages] = useState<VoicemailMessage[] | null>(null);
  const [boxes, setBoxes] = useState<VoicemailBoxInfo[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [callbackQueue, setCallbackQueue] = useState<Record<string, string>>({});

  useEffect(() => {
    api.get<VoicemailMessage[]>('/api/voicemail/messages?limit=20').then(setMessages, (err: unknown) => {
      // No voicemail service installed: the section stays empty.
      if (err instanceof ApiError && err.status === 404) setMessages([]);
      else setError(t('error', { message: errorText(err) }));
    });
  }, [reload]);
  useEffect(() => {
    api.get<VoicemailBoxInfo[]>('/api/voicemail/boxes').then(setBoxes, () => setBoxes([]));
    const timer = setInterval(() => setReload((n) => n + 1), reloadEveryMs);
    return () => clearInterval(timer);
  }, []);

  const act = (promise: Promise<unknown>, done: string | null): void => {
    setError(null);
    promise.then(() => { setNote(done); setReload((n) => n + 1); }, (err: unknown) => setError(t('error', { message: errorText(err) })));
  };
  const setStatus = (m: VoicemailMessage, status: 'heard' | 'handled'): void =>
    act(api.post(`/api/voicemail/messages/${encodeURIComponent(m.id)}/status`, { status }), null);
  const callBack = (m: VoicemailMessage, queue: string | null): void => {
    act(api.post(`/api/voicemail/messages/${encodeURIComponent(m.id)}/callback`, queue === null ? {} : { queue }), t('callbackRequested'));
  };

  return (
    <section class="card voicemail" id="voicemail">
      <h2>{t('voicemail')}</h2>
      {note && <p class="muted" id="voicemail-note">{note}</p>}
      {error && <p class="error" id="voicemail-error">{error}</p>}
      {messages && messages.length === 0 && <p class="muted">{t('noVoicemail')}</p>}
      {messages && messages.length > 0 && (
        <table>
          <thead><tr><th>{t('from')}</th><th>{t('received')}</th><th /><th>{t('status')}</th><th /></tr></thead>
          <tbody>
            {messages.map((m) => {
              // A box with its own queue calls back from it; otherwise the agent picks one of theirs.
              const boxQueue = boxes.find((b) => b.name === m.box)?.queue ?? null;
              const picked = callbackQueue[m.id] ?? props.queues[0] ?? '';
              return (
                <tr data-id={m.id} data-status={m.status}>
                  <td>{m.callerNumber}</td>
                  <td>{dateTime(m.receivedAt, lang)} <span class="muted">({duration(m.durationSeconds)})</span></td>
                  <td><audio controls preload="none" src={m.audioUrl} onPlay={() => { if (m.status === 'new') setStatus(m, 'heard'); }} /></td>
                  <td class="vm-status">
                    {t(statusKeys[m.status])}
                    {m.handledBy && <span class="muted"> · {m.handledBy}</span>}
                    {m.callbackEntryId && <span class="badge">{t('callbackQueued')}</span>}
                  </td>
                  <td><div class="row">
                    <button class="vm-heard" disabled={m.status !== 'new'} onClick={() => setStatus(m, 'heard')}>{t('markHeard')}</button>
                    <button class="vm-handled" disabled={m.status === 'handled'} onClick={() => setStatus(m, 'handled')}>{t('markHandled')}</button>
                    {boxQueue === null && props.queues.length > 0 && (
                      <select class="vm-callback-queue" aria-label={t('callbackQueue')} value={picked} onChange={(e) => setCallbackQueue((prev) => ({ ...prev, [m.id]: e.currentTarget.value }))}>
                        {props.queues.map((q) => <option value={q}>{q}</option>)}
                      </select>
                    )}
                    <button class="vm-callback" onClick={() => callBack(m, boxQueue === null && picked !== '' ? picked : null)}>{t('callBack')}</button>
                  </div></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
