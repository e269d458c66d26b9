// The agent's voicemail: the messages of the boxes this user may read, newest first;
// play (the browser's audio element streams the WAV), mark handled, call back.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type VoicemailMessage } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { dateTime, duration, errorText } from '../format.js';

export function VoicemailList() {
  const { t, lang } = useI18n();
  const [messages, setMessages] = useState<VoicemailMessage[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    api.get<VoicemailMessage[]>('/api/voicemail/messages?limit=20').then(setMessages, (err: unknown) => {
      // No voicemail service installed: the section stays empty.
      if (err instanceof ApiError && err.status === 404) setMessages([]);
      else setNote(t('error', { message: errorText(err) }));
    });
  }, [reload]);

  const act = (promise: Promise<unknown>, done: string | null): void => {
    promise.then(() => { if (done) setNote(done); setReload((n) => n + 1); }, (err: unknown) => setNote(t('error', { message: errorText(err) })));
  };

  return (
    <section class="card voicemail" id="voicemail">
      <h2>{t('voicemail')}</h2>
      {note && <p class="muted">{note}</p>}
      {messages && messages.length === 0 && <p class="muted">{t('noVoicemail')}</p>}
      {messages && messages.length > 0 && (
        <table>
          <thead><tr><th>{t('from')}</th><th>{t('received')}</th><th /><th>{t('status')}</th><th /></tr></thead>
          <tbody>
            {messages.map((m) => (
              <tr data-id={m.id}>
                <td>{m.callerNumber}</td>
                <td>{dateTime(m.receivedAt, lang)} <span class="muted">({duration(m.durationMs / 1000)})</span></td>
                <td><audio controls preload="none" src={`/api/voicemail/messages/${encodeURIComponent(m.id)}/audio`} /></td>
                <td>{m.status}</td>
                <td>
                  <button disabled={m.status === 'handled'} onClick={() => act(api.post(`/api/voicemail/messages/${encodeURIComponent(m.id)}/status`, { status: 'handled' }), null)}>{t('markHandled')}</button>{' '}
                  <button onClick={() => act(api.post(`/api/voicemail/messages/${encodeURIComponent(m.id)}/callback`, {}), t('callbackRequested'))}>{t('callBack')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
