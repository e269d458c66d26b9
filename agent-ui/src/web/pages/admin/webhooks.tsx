// Admin console, webhooks: subscribe URLs to Tenor's events (PUT/DELETE
// /api/admin/webhooks/:id; the signing secret is write-only, so the form never
// shows it and keeps it when left empty), and the dead-letter list: deliveries
// that used up their attempts, with the last error, "retry now" and "discard".
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import type { WebhookDeadLetter, WebhookSubscription } from '../../wire.js';
import { AdminForm, CheckInput, ErrorLine, problemFrom, TextInput, useAdminList, useRecordEditor } from './form.js';

interface Draft {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
}

const emptyForm = (): Draft => ({ id: '', url: '', events: [], secret: '', enabled: true });
const draftOf = (s: WebhookSubscription): Draft => ({ id: s.id, url: s.url, events: [...s.events], secret: '', enabled: s.enabled });

export function WebhooksSection() {
  const { t } = useI18n();
  const subscriptions = useAdminList<WebhookSubscription>('/api/admin/webhooks');
  const events = useAdminList<{ type: string; description: string }>('/api/admin/webhooks/events');
  const { selected, closed, form, setForm, set, notice, open, formProps } = useRecordEditor<WebhookSubscription, Draft>({
    url: '/api/admin/webhooks', list: subscriptions, keyOf: (s) => s.id, toForm: draftOf, emptyForm, newKey: (d) => d.id,
    toBody: (d) => ({ url: d.url.trim(), events: d.events, enabled: d.enabled, ...(d.secret !== '' ? { secret: d.secret } : {}) }),
    savedNotice: () => t('saved'), deletedNotice: (id) => t('webhookDeleted', { id }), closable: true,
  });
  const toggle = (type: string, on: boolean): void =>
    setForm((d) => ({ ...d, events: on ? [...d.events.filter((e) => e !== type), type] : d.events.filter((e) => e !== type) }));

  return (
    <div class="admin-section">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminWebhooks')}</h2>
          <button id="webhook-new" class="secondary" onClick={() => open(null)}>+ {t('webhookNew')}</button>
        </div>
        <ErrorLine id="webhooks-error" message={subscriptions.error && t('error', { message: subscriptions.error })} />
        {subscriptions.items === null && !subscriptions.error && <p class="muted">{t('loading')}</p>}
        {subscriptions.items && subscriptions.items.length === 0 && <p class="muted">{t('webhookNone')}</p>}
        {subscriptions.items && subscriptions.items.length > 0 && (
          <table class="admin-list" id="webhooks">
            <thead><tr><th>{t('webhookId')}</th><th>{t('webhookUrl')}</th><th>{t('webhookEvents')}</th><th>{t('telOrigin')}</th></tr></thead>
            <tbody>
              {subscriptions.items.map((s) => (
                <tr class={`selectable${s.id === selected ? ' selected' : ''}${s.enabled ? '' : ' muted'}`} data-id={s.id} onClick={() => open(s)}>
                  <td><b>{s.id}</b>{!s.enabled && <> ({t('webhookDisabled')})</>}</td>
                  <td>{s.url}</td>
                  <td>{s.events.join(', ')}</td>
                  <td>{s.origin === 'config' ? t('telOriginConfig') : t('telOriginApi')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="card">
        {closed ? (
          notice && <p class="ok" id="webhook-form-notice">{notice}</p>
        ) : (
          <AdminForm id="webhook-form" title={selected !== null ? t('webhookEdit', { id: selected }) : t('webhookNew')} {...formProps}>
            <div class="fields">
              <TextInput id="webhook-id" label={t('webhookId')} value={selected ?? form.id} disabled={selected !== null} placeholder="crm"
                onValue={(v) => setForm((d) => ({ ...d, id: v }))} />
              <TextInput id="webhook-url" label={t('webhookUrl')} path="url" value={form.url} placeholder="https://crm.example.com/tenor" onValue={set('url')} />
              <TextInput id="webhook-secret" label={t('webhookSecret')} path="secret" type="password" autoComplete="new-password" value={form.secret}
                placeholder={selected !== null ? t('webhookSecretKept') : t('webhookSecretNew')} onValue={set('secret')} />
              <CheckInput id="webhook-enabled" label={t('webhookEnabled')} checked={form.enabled} onValue={set('enabled')} />
            </div>
            <fieldset class="webhook-events" id="webhook-events">
              <legend>{t('webhookEvents')}</legend>
              {(events.items ?? []).map((e) => (
                <CheckInput id={`webhook-event-${e.type}`} label={`${e.type}: ${e.description}`} path="events" wide
                  checked={form.events.includes(e.type)} onValue={(on) => toggle(e.type, on)} />
              ))}
            </fieldset>
          </AdminForm>
        )}
      </div>
      <DeadLetters />
    </div>
  );
}

/** The dead-letter list, refreshed every 5 s: each failed delivery with its error, retry now or discard. */
function DeadLetters() {
  const { t } = useI18n();
  const letters = useAdminList<WebhookDeadLetter>('/api/admin/webhook-dead-letters', 5_000);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = async (what: 'retry' | 'discard', id: string): Promise<void> => {
    setProblem(null);
    setNotice(null);
    try {
      if (what === 'retry') await api.post(`/api/admin/webhook-dead-letters/${encodeURIComponent(id)}/retry`);
      else await api.del(`/api/admin/webhook-dead-letters/${encodeURIComponent(id)}`);
      setNotice(what === 'retry' ? t('deadLetterRetried') : t('deadLetterDiscarded'));
    } catch (err) {
      setProblem(problemFrom(err).message);
    }
    letters.reload();
  };
  return (
    <div class="card wide">
      <h2>{t('deadLetters')}</h2>
      <p class="muted">{t('deadLettersHelp')}</p>
      <ErrorLine id="dead-letters-error" message={problem ?? (letters.error && t('error', { message: letters.error }))} />
      {notice && <p class="ok" id="dead-letters-notice">{notice}</p>}
      {letters.items && letters.items.length === 0 && <p class="muted" id="dead-letters-none">{t('deadLettersNone')}</p>}
      {letters.items && letters.items.length > 0 && (
        <table class="admin-list" id="dead-letters">
          <thead><tr><th>{t('webhookEvent')}</th><th>{t('webhookId')}</th><th>{t('deadLetterAttempts')}</th><th>{t('deadLetterError')}</th><th>{t('deadLetterFailedAt')}</th><th /></tr></thead>
          <tbody>
            {letters.items.map((d) => (
              <tr data-id={d.id} data-subscription={d.subscriptionId}>
                <td>{d.type}</td>
                <td>{d.subscriptionId}</td>
                <td>{d.attempts}</td>
                <td class="dead-letter-error">{d.lastError}</td>
                <td>{new Date(d.failedAt).toLocaleString()}</td>
                <td>
                  <button class="secondary" data-action="retry" onClick={() => void act('retry', d.id)}>{t('deadLetterRetry')}</button>{' '}
                  <button class="danger" data-action="discard" onClick={() => void act('discard', d.id)}>{t('deadLetterDiscard')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
