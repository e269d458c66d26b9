// The screen pop on an answered call: the customer card with the contact history
// timeline and open cases, the dialogue script, and the agent's notes and disposition.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { CustomerHistory, ScriptSession } from '../wire.js';
import { useI18n } from '../i18n/index.js';
import type { LiveContact } from '../live.js';
import { dateTime, errorText } from '../format.js';
import { ScriptPanel } from './script-panel.js';
import { recordingHref } from './recordings/route.js';

interface CaseRow { id: number; code: string; description?: string | null; status: string; dueAt?: string | null }

export function ScreenPop(props: { contact: LiveContact }) {
  const { t, lang } = useI18n();
  const customerId = props.contact.customer.id === null ? null : Number(props.contact.customer.id);
  const [history, setHistory] = useState<CustomerHistory | null>(null);
  const [cases, setCases] = useState<CaseRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [session, setSession] = useState<ScriptSession | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (customerId === null) return;
    api.get<CustomerHistory>(`/api/customers/${customerId}/history?limit=10`).then(setHistory, (err: unknown) => setError(errorText(err)));
    api.get<{ items: CaseRow[] }>(`/api/cases?customer=${customerId}&status=open`).then((r) => setCases(r.items), () => setCases([]));
  }, [customerId, reload]);

  return (
    <div class="screen-pop">
      {customerId !== null && (
        <div class="customer-card" id="customer-card">
          <h3>{t('customer')}</h3>
          {history && (
            <dl>
              <dt>{t('segment')}</dt><dd>{history.summary.segment ?? '—'}</dd>
              <dt>{t('openCases')}</dt><dd id="open-cases-count">{history.summary.openCases}</dd>
              <dt>{t('lastContact')}</dt><dd>{dateTime(history.summary.lastContact, lang)}</dd>
              <dt>{t('contacts30')}</dt><dd>{history.summary.contactsLast30Days}</dd>
            </dl>
          )}
          {cases.length > 0 && (
            <ul class="cases" id="open-cases">
              {cases.map((c) => <li><strong>{c.code}</strong> {c.description ?? ''} <span class="muted">{c.status}{c.dueAt ? ` · ${dateTime(c.dueAt, lang)}` : ''}</span></li>)}
            </ul>
          )}
          <h3>{t('history')}</h3>
          {error && <p class="error">{t('error', { message: error })}</p>}
          {history && history.items.length === 0 && <p class="muted">{t('noHistory')}</p>}
          {history && history.items.length > 0 && (
            <ol class="timeline" id="history">
              {history.items.map((i) => (
                <li data-id={i.id}>
                  <span class="muted">{dateTime(i.occurredAt, lang)}</span> <span class="badge">{i.channel ?? ''}</span>{' '}
                  {i.notes ?? ''}
                  {i.disposition && <span class="disposition"> · {t('disposition')}: {i.disposition}</span>}
                  {i.agent && <span class="muted"> · {i.agent}</span>}
                  {/* A new tab: the desk (the call, its script) stays as it is. */}
                  {i.recordingId !== undefined && (
                    <> <a class="small recording-link" data-testid={`recording-pop-${i.id}`} href={`/app/${recordingHref(i.recordingId)}`} target="_blank" rel="noopener">{t('recordingLink')}</a></>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      <div class="work">
        <ScriptPanel contact={props.contact} customerId={customerId} onChange={(s) => { setSession(s); if (s.status !== 'active') setReload((n) => n + 1); }} />
        {customerId !== null && <NotesForm contact={props.contact} customerId={customerId} session={session} onSaved={() => setReload((n) => n + 1)} />}
      </div>
    </div>
  );
}

/** Notes and disposition: on the script's interaction when the script has ended, else a note on the timeline. */
function NotesForm(props: { contact: LiveContact; customerId: number; session: ScriptSession | null; onSaved(): void }) {
  const { t } = useI18n();
  const [notes, setNotes] = useState('');
  const [disposition, setDisposition] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [interactionId, setInteractionId] = useState<number | null>(null);

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setStatus(null);
    const fields = { notes, ...(disposition !== '' ? { disposition } : {}) };
    try {
      const target = interactionId ?? props.session?.interactionId ?? null;
      if (target !== null) await api.patch(`/api/interactions/${target}`, fields);
      else {
        const created = await api.post<{ id: number }>('/api/interactions', {
          // occurredAt is required by the model: a note without a script was refused before.
          customer: props.customerId, channel: 'note', direction: 'internal', callId: props.contact.callId, occurredAt: new Date().toISOString(),
          ...(props.contact.queue ? { queue: props.contact.queue } : {}), ...fields,
        });
        setInteractionId(created.id);
      }
      setStatus(t('saved'));
      props.onSaved();
    } catch (err) {
      setStatus(t('error', { message: errorText(err) }));
    }
  };

  return (
    <form class="notes" onSubmit={save}>
      <h3>{t('notes')}</h3>
      <textarea id="notes" rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      <label>{t('disposition')} <input id="disposition" value={disposition} onInput={(e) => setDisposition(e.currentTarget.value)} /></label>
      <button id="save-notes" type="submit">{t('save')}</button>
      {status && <span id="notes-status" class="muted"> {status}</span>}
    </form>
  );
}
