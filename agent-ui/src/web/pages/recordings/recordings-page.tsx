// The recordings page: the list of call recordings with filters and paging
// ('#/recordings?…'), and one recording in the player ('#/recordings/<id>').
// Supervisors and admins see every recording; an agent, where the site allows
// (recording.agentsMayListen, told by /api/auth/me's mayHearRecordings), only
// the recordings of calls they were on: the server applies that rule.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { dateTime, duration, errorText } from '../../format.js';
import type { Me, RecordingPage } from '../../wire.js';
import { Player } from './player.js';
import { recordingHref, recordingsListHref, recordingsRoute, type RecordingFilters, type RecordingsRoute } from './route.js';

const PAGE = 25;

function useRoute(): RecordingsRoute {
  const [route, setRoute] = useState(() => recordingsRoute(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(recordingsRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

export function RecordingsPage(props: { me: Me }) {
  const route = useRoute();
  return route.kind === 'player'
    ? <Player key={route.id} id={route.id} me={props.me} />
    : <RecordingList filters={route.filters} me={props.me} />;
}

const stateKeys: Record<string, MessageKey> = {
  recording: 'recordingStateRecording', paused: 'recordingStatePaused', stored: 'recordingStateStored', failed: 'recordingStateFailed', erased: 'recordingStateErased',
};

/** A local date-time from the form (or an address typed by hand) as an ISO instant; undefined when it is none. */
function instant(local: string | undefined): string | undefined {
  const ms = local ? Date.parse(local) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The list's query to the server: the form's local date-times as ISO instants. */
function listUrl(filters: RecordingFilters): string {
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(filters.offset ?? 0) });
  const from = instant(filters.from);
  const to = instant(filters.to);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  for (const name of ['queue', 'agent', 'customerId', 'callId'] as const) {
    const value = filters[name];
    if (value) query.set(name, value);
  }
  return `/api/recordings?${query.toString()}`;
}

function RecordingList(props: { filters: RecordingFilters; me: Me }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<RecordingFilters>(props.filters);
  const [answer, setAnswer] = useState<RecordingPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const url = listUrl(props.filters);
  const offset = props.filters.offset ?? 0;
  const agentOnly = props.me.user.role === 'agent';

  useEffect(() => setForm(props.filters), [url]);
  useEffect(() => {
    let current = true;
    setError(null);
    api.get<RecordingPage>(url).then((page) => { if (current) setAnswer(page); }, (err: unknown) => { if (current) { setAnswer(null); setError(errorText(err)); } });
    return () => { current = false; };
  }, [url]);

  const field = (name: keyof Omit<RecordingFilters, 'offset'>, label: MessageKey, type = 'text') => (
    <label>{t(label)} <input id={`recordings-${name}`} type={type} value={form[name] ?? ''} maxLength={256}
      onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} /></label>
  );
  const go = (filters: RecordingFilters): void => { location.hash = recordingsListHref(filters); };

  return (
    <div class="recordings">
      <form class="card row filters" id="recordings-filters" onSubmit={(e) => { e.preventDefault(); go({ ...form, offset: 0 }); }}>
        {field('from', 'recordingsFrom', 'datetime-local')}
        {field('to', 'recordingsTo', 'datetime-local')}
        {field('queue', 'queue')}
        {!agentOnly && field('agent', 'agent')}
        {field('customerId', 'recordingsCustomer')}
        {field('callId', 'recordingsCallId')}
        <button type="submit" class="primary" id="recordings-search">{t('show')}</button>
        <button type="button" id="recordings-clear" onClick={() => go({})}>{t('recordingsClearFilters')}</button>
      </form>
      {error && <p class="error" id="recordings-error">{t('error', { message: error })}</p>}
      {answer && (
        <section class="card">
          {answer.items.length === 0
            ? <p class="muted" id="recordings-empty">{t('recordingsNone')}</p>
            : (
              <table id="recordings-table">
                <thead><tr>
                  <th>{t('recordingsStarted')}</th><th>{t('recordingsDuration')}</th><th>{t('recordingsQueueOrCampaign')}</th><th>{t('agent')}</th>
                  <th>{t('recordingsCustomer')}</th><th>{t('recordingsState')}</th><th>{t('recordingsEncrypted')}</th>
                </tr></thead>
                <tbody>
                  {answer.items.map((r) => (
                    <tr key={r.id} data-recording={r.id}>
                      <td><a href={recordingHref(r.id)} class="recording-open">{dateTime(r.startedAt, lang)}</a></td>
                      <td>{duration(r.durationMs === null ? null : r.durationMs / 1000)}</td>
                      <td>{r.queue ?? r.campaign ?? '—'}</td>
                      <td>{r.agent ?? '—'}</td>
                      <td>{r.customerId === null ? '—' : <a class="recording-customer" href={recordingsListHref({ customerId: r.customerId })}>{r.customerId}</a>}</td>
                      <td><span class={`badge recording-state ${r.state}`}>{stateKeys[r.state] ? t(stateKeys[r.state] as MessageKey) : r.state}</span></td>
                      <td>{r.encrypted ? t('yes') : t('no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          {answer.total > PAGE && (
            <div class="row pager">
              <button id="recordings-prev" disabled={offset === 0} onClick={() => go({ ...props.filters, offset: Math.max(0, offset - PAGE) })}>{t('previous')}</button>
              <span class="muted" id="recordings-page-of">{t('pageOf', { from: offset + 1, to: Math.min(offset + PAGE, answer.total), total: answer.total })}</span>
              <button id="recordings-next" disabled={offset + PAGE >= answer.total} onClick={() => go({ ...props.filters, offset: offset + PAGE })}>{t('next')}</button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
