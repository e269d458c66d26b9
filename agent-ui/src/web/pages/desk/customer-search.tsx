// Finding customers outside a call: one query box (name, e-mail, a phone number
// in any format, a case number), ranked and paged results, the customer's page
// when one is opened, and creating a new customer. The server applies the
// agent's customer scope (GET /api/customers/search); this page shows what it answers.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import type { MatchKind } from '../../wire.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';
import { CustomerPage, type CustomerRecord } from './customer-page.js';

interface SearchHit { customer: CustomerRecord; matched: MatchKind }
interface SearchAnswer { items: SearchHit[]; total: number; phone: string | null }

const PAGE = 10;

export function CustomerSearch() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ id: number; initial?: CustomerRecord } | null>(null);
  const [creating, setCreating] = useState(false);

  const run = (q: string, from: number): void => {
    setError(null);
    api.get<SearchAnswer>(`/api/customers/search?q=${encodeURIComponent(q)}&limit=${PAGE}&offset=${from}`).then(
      (found) => { setAnswer(found); setSearched(q); setOffset(from); },
      (err: unknown) => setError(t('error', { message: errorText(err) })),
    );
  };
  const submit = (e: Event): void => {
    e.preventDefault();
    const q = query.trim();
    if (q !== '') run(q, 0);
  };

  return (
    <section class="card customer-search" aria-labelledby="customer-search-title">
      <h2 id="customer-search-title">{t('findCustomer')}</h2>
      <form class="row" role="search" onSubmit={submit}>
        <input
          id="customer-search-input" type="search" maxLength={100} value={query} placeholder={t('findCustomerHint')}
          aria-label={t('findCustomerHint')} onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button id="customer-search-go" type="submit" disabled={query.trim() === ''}>{t('search')}</button>
        <button id="customer-new" type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>{t('newCustomer')}</button>
      </form>
      {error && <p class="error">{error}</p>}
      {creating && <NewCustomerForm onCreated={(c) => { setCreating(false); setOpen({ id: c.id, initial: c }); }} />}
      {answer && searched !== null && (
        <div id="customer-results" aria-live="polite">
          <p class="muted">
            {answer.total === 0 ? t('noCustomersFound') : t('customersFound', { count: answer.total })}
            {answer.phone && <> · {t('searchedNumber')}: <span id="searched-number">{answer.phone}</span></>}
          </p>
          <ul class="results">
            {answer.items.map((hit) => (
              <li key={hit.customer.id}>
                <button
                  class="link" data-testid={`customer-result-${hit.customer.id}`} aria-current={open?.id === hit.customer.id}
                  onClick={() => setOpen({ id: hit.customer.id, initial: hit.customer })}
                >
                  <strong>{hit.customer.name}</strong>
                </button>
                {hit.customer.segment && <span class="badge">{hit.customer.segment}</span>}
                <span class="muted"> · {(hit.customer.phones ?? []).join(', ') || '—'}</span>
                <span class="badge matched">{t(hit.matched === 'phone' ? 'matchedPhone' : hit.matched === 'case' ? 'matchedCase' : 'matchedWords')}</span>
              </li>
            ))}
          </ul>
          {answer.total > PAGE && (
            <div class="row pager">
              <button id="customer-results-prev" disabled={offset === 0} onClick={() => run(searched, Math.max(0, offset - PAGE))}>{t('previous')}</button>
              <span class="muted">{t('pageOf', { from: offset + 1, to: Math.min(offset + PAGE, answer.total), total: answer.total })}</span>
              <button id="customer-results-next" disabled={offset + PAGE >= answer.total} onClick={() => run(searched, offset + PAGE)}>{t('next')}</button>
            </div>
          )}
        </div>
      )}
      {open && <CustomerPage key={open.id} customerId={open.id} {...(open.initial ? { initial: open.initial } : {})} onClose={() => setOpen(null)} />}
    </section>
  );
}

/** A new customer: the same validation as POST /api/customers (a name; numbers must be phone numbers). */
function NewCustomerForm(props: { onCreated(customer: CustomerRecord): void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = (e: Event): void => {
    e.preventDefault();
    setError(null);
    const body = { name: name.trim(), ...(phone.trim() ? { phones: [phone.trim()] } : {}), ...(email.trim() ? { emails: [email.trim()] } : {}) };
    api.post<CustomerRecord>('/api/customers', body).then(props.onCreated, (err: unknown) => setError(t('error', { message: errorText(err) })));
  };
  return (
    <form id="new-customer" class="new-customer" onSubmit={save}>
      <label>{t('customerName')} <input id="new-customer-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>{t('number')} <input id="new-customer-phone" type="tel" maxLength={40} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} /></label>
      <label>{t('email')} <input id="new-customer-email" type="email" maxLength={200} value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
      <button id="new-customer-save" type="submit">{t('save')}</button>
      {error && <p class="error" id="new-customer-error">{error}</p>}
    </form>
  );
}
