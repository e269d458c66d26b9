// The agent's scheduled callbacks (from a script run or their own), soonest due
// first, overdue marked. "Call" dispatches `tenor:dial` with the callback's id
// (the dial pad places the call; the server marks it done once the customer
// answered); the agent may reschedule one or close it with a reason.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { dateTime, errorText } from '../../format.js';
import { DIALED_EVENT } from './dial-pad.js';
import { requestDial } from './dial.js';

interface ScheduledCallback {
  id: string;
  number: string;
  customer: { id: string; name: string | null } | null;
  dueAt: string;
  overdue: boolean;
  source: string;
  note: string | null;
  attempts: number;
}

const reloadEveryMs = 60_000;

/** A datetime-local value (the browser's zone) for an ISO time. */
function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function MyCallbacks(props: { login: string }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<ScheduledCallback[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<{ id: string; mode: 'reschedule' | 'close'; value: string } | null>(null);
  const base = `/api/agents/${encodeURIComponent(props.login)}/callbacks`;

  useEffect(() => {
    api.get<ScheduledCallback[]>(base).then(setItems, (err: unknown) => setError(t('error', { message: errorText(err) })));
  }, [reload, props.login]);
  useEffect(() => {
    const again = (): void => setReload((n) => n + 1);
    const timer = setInterval(again, reloadEveryMs);
    window.addEventListener(DIALED_EVENT, again);
    return () => { clearInterval(timer); window.removeEventListener(DIALED_EVENT, again); };
  }, []);

  const call = (c: ScheduledCallback): void => {
    requestDial({ number: c.number, callbackId: c.id, ...(c.customer ? { customerId: c.customer.id } : {}) });
  };
  const save = (e: Event): void => {
    e.preventDefault();
    if (!editing || editing.value.trim() === '') return;
    setError(null);
    const body = editing.mode === 'reschedule' ? { dueAt: new Date(editing.value).toISOString() } : { status: 'closed', reason: editing.value.trim() };
    api.patch(`${base}/${encodeURIComponent(editing.id)}`, body).then(
      () => { setEditing(null); setReload((n) => n + 1); },
      (err: unknown) => setError(t('error', { message: errorText(err) })),
    );
  };

  return (
    <section class="card my-callbacks" id="my-callbacks">
      <h2>{t('myCallbacks')}</h2>
      {error && <p class="error">{error}</p>}
      {items && items.length === 0 && <p class="muted" id="callbacks-none">{t('callbacksNone')}</p>}
      {items && items.length > 0 && (
        <table>
          <thead><tr><th>{t('callbackDue')}</th><th>{t('number')}</th><th>{t('customer')}</th><th /></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr class="callback" data-id={c.id} data-overdue={String(c.overdue)}>
                <td>{dateTime(c.dueAt, lang)} {c.overdue && <span class="badge overdue">{t('callbackOverdue')}</span>}</td>
                <td>{c.number}</td>
                <td>{c.customer?.name ?? ''}{c.note && <span class="muted"> · {c.note}</span>}</td>
                <td>
                  <div class="row">
                    <button data-testid="call-callback" onClick={() => call(c)}>{t('dialCall')}</button>
                    <button class="callback-reschedule" onClick={() => setEditing({ id: c.id, mode: 'reschedule', value: localInput(c.dueAt) })}>{t('callbackReschedule')}</button>
                    <button class="callback-close" onClick={() => setEditing({ id: c.id, mode: 'close', value: '' })}>{t('callbackClose')}</button>
                  </div>
                  {editing?.id === c.id && (
                    <form class="row callback-edit" onSubmit={save}>
                      {editing.mode === 'reschedule'
                        ? <input type="datetime-local" aria-label={t('callbackNewTime')} value={editing.value} onInput={(e) => setEditing({ ...editing, value: e.currentTarget.value })} />
                        : <input type="text" aria-label={t('callbackReason')} placeholder={t('callbackReason')} value={editing.value} onInput={(e) => setEditing({ ...editing, value: e.currentTarget.value })} />}
                      <button type="submit">{t('save')}</button>
                      <button type="button" onClick={() => setEditing(null)}>{t('cancelEdit')}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
