// A customer's page outside a call: details with a "Call" button on each number,
// the contact history (calls, voicemail, script results, notes) with "Call" on
// each entry, open cases, and a form to open a new case. Calls are asked for
// with the tenor:dial event (dial.ts); the dial pad places them.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import type { CustomerHistory } from '../../wire.js';
import { useI18n } from '../../i18n/index.js';
import { dateTime, errorText } from '../../format.js';
import { requestDial } from './dial.js';
import { recordingHref, recordingsListHref } from '../recordings/route.js';

export interface CustomerRecord {
  id: number;
  name: string;
  phones?: string[] | null;
  emails?: string[] | null;
  segment?: string | null;
  language?: string | null;
  prospect?: boolean | null;
}

interface CaseRow { id: number; code: string; description?: string | null; status: string; dueAt?: string | null }

export function CustomerPage(props: { customerId: number; initial?: CustomerRecord; onClose(): void }) {
  const { t, lang } = useI18n();
  const id = props.customerId;
  const [history, setHistory] = useState<CustomerHistory | null>(null);
  const [cases, setCases] = useState<CaseRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    setError(null);
    api.get<CustomerHistory>(`/api/customers/${id}/history?limit=20`).then(setHistory, (err: unknown) => {
      // An agent sees a customer's records once they handle them (docs/access.md): say so rather than show an error code.
      setError(err instanceof ApiError && err.code === 'TENOR_ERR_FORBIDDEN' ? t('customerNotHandled') : t('error', { message: errorText(err) }));
    });
    Promise.all(['open', 'pending'].map((status) => api.get<{ items: CaseRow[] }>(`/api/cases?customer=${id}&status=${status}&limit=50`)))
      .then((lists) => setCases(lists.flatMap((l) => l.items)), () => setCases([]));
  }, [id, reload]);

  const customer = (history?.customer as CustomerRecord | undefined) ?? props.initial;
  const phones = customer?.phones ?? [];
  const primary = phones[0];
  const dial = (number: string): void => requestDial({ number, customerId: String(id) });

  return (
    <article class="customer-page" id="customer-page" data-customer={id} aria-labelledby="customer-page-name">
      <header class="row">
        <h3 id="customer-page-name">{customer?.name ?? `#${id}`}</h3>
        {customer?.segment && <span class="badge">{customer.segment}</span>}
        {customer?.prospect && <span class="badge">{t('prospect')}</span>}
        <button class="close" id="customer-page-close" onClick={props.onClose} aria-label={t('close')}>×</button>
      </header>
      <dl>
        <dt>{t('numbers')}</dt>
        <dd>
          <ul class="numbers">
            {phones.length === 0 && <li class="muted">—</li>}
            {phones.map((number, i) => (
              <li key={number}>
                <span class="number">{number}</span>{' '}
                <button data-testid={`call-phone-${i}`} data-number={number} onClick={() => dial(number)} aria-label={`${t('call')} ${number}`}>{t('call')}</button>
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('email')}</dt><dd>{(customer?.emails ?? []).join(', ') || '—'}</dd>
        <dt>{t('languageOfCustomer')}</dt><dd>{customer?.language ?? '—'}</dd>
        {history && <><dt>{t('lastContact')}</dt><dd>{dateTime(history.summary.lastContact, lang)}</dd></>}
        {history && <><dt>{t('contacts30')}</dt><dd>{history.summary.contactsLast30Days}</dd></>}
      </dl>

      <h4>{t('openCases')} <span class="badge" id="customer-open-cases-count">{history?.summary.openCases ?? cases.length}</span></h4>
      {cases.length === 0 ? <p class="muted">{t('noOpenCases')}</p> : (
        <ul class="cases" id="customer-open-cases">
          {cases.map((c) => <li key={c.id} data-case={c.id}><strong>{c.code}</strong> #{c.id} {c.description ?? ''} <span class="muted">{c.status}{c.dueAt ? ` · ${t('due')} ${dateTime(c.dueAt, lang)}` : ''}</span></li>)}
        </ul>
      )}
      {error === null && <NewCaseForm customerId={id} onCreated={() => setReload((n) => n + 1)} />}

      <h4>{t('history')}</h4>
      {error && <p class="muted" id="customer-page-error">{error}</p>}
      {history && history.items.length === 0 && <p class="muted">{t('noHistory')}</p>}
      {history && history.items.length > 0 && (
        <ol class="timeline" id="customer-history">
          {history.items.map((i) => (
            <li key={i.id} data-id={i.id}>
              <span class="muted">{dateTime(i.occurredAt, lang)}</span> <span class="badge">{i.channel ?? ''}</span>{' '}
              {i.notes ?? ''}
              {i.outcome && <span class="muted"> · {i.outcome}</span>}
              {i.disposition && <span class="disposition"> · {t('disposition')}: {i.disposition}</span>}
              {i.agent && <span class="muted"> · {i.agent}</span>}
              {i.recordingId !== undefined && (
                <> <a class="small recording-link" data-testid={`recording-history-${i.id}`} href={recordingHref(i.recordingId)}>{t('recordingLink')}</a></>
              )}
              {primary !== undefined && (
                <> <button class="small" data-testid={`call-history-${i.id}`} data-number={primary} onClick={() => dial(primary)} aria-label={`${t('call')} ${primary}`}>{t('call')}</button></>
              )}
            </li>
          ))}
        </ol>
      )}
      {/* Present only for a reader who may play them: then the list of all this customer's recordings is theirs too. */}
      {history && history.items.some((i) => i.recordingId !== undefined) && (
        <p><a id="customer-recordings" href={recordingsListHref({ customerId: String(id) })}>{t('customerRecordings')}</a></p>
      )}
    </article>
  );
}

/** A new case for this customer: POST /api/cases, the server's rules (a code; the due time from the code's SLA). */
function NewCaseForm(props: { customerId: number; onCreated(): void }) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const [description, setDescription] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const save = (e: Event): void => {
    e.preventDefault();
    setStatus(null);
    api.post<{ id: number }>('/api/cases', { customer: props.customerId, code: code.trim(), ...(description.trim() ? { description: description.trim() } : {}) }).then(
      (created) => { setCode(''); setDescription(''); setStatus(t('caseOpened', { id: created.id })); props.onCreated(); },
      (err: unknown) => setStatus(t('error', { message: errorText(err) })),
    );
  };
  return (
    <form class="new-case row" id="new-case" onSubmit={save} aria-label={t('newCase')}>
      <label>{t('caseCode')} <input id="new-case-code" required maxLength={50} value={code} onInput={(e) => setCode(e.currentTarget.value)} /></label>
      <label>{t('caseDescription')} <input id="new-case-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
      <button id="new-case-save" type="submit">{t('newCase')}</button>
      {status && <span id="new-case-status" class="muted" role="status"> {status}</span>}
    </form>
  );
}
