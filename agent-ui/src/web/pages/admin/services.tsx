// Admin console, services: the service manager's list (status, health, dependencies),
// refreshed every few seconds, with a reload per service and a replace from a module
// file while the others keep running (POST /api/services/:name/replace).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import type { ServiceInfo } from '../../wire.js';
import { errorText } from '../../format.js';
import { ErrorLine, TextInput, SelectInput, useAdminList } from './form.js';

/** How often the list is re-read: status and health change without any event to say so. */
const REFRESH_MS = 3000;

/** With seconds: a reload a moment ago must show a different time. */
function startedAt(iso: string | null, lang: string): string {
  return iso === null ? '—' : new Date(iso).toLocaleString(lang, { dateStyle: 'short', timeStyle: 'medium' });
}

type Outcome = { ok: true; text: string } | { ok: false; text: string };

export function ServicesSection() {
  const { t, lang } = useI18n();
  const services = useAdminList<ServiceInfo>('/api/services', REFRESH_MS);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [target, setTarget] = useState('');
  const [modulePath, setModulePath] = useState('');

  const replace = (name: string, module: string | null): void => {
    setBusy(name);
    setOutcome(null);
    // Without a module the server reloads the same definition; with one it loads a new version.
    const body = module === null ? undefined : { module };
    api.post<ServiceInfo>(`/api/services/${encodeURIComponent(name)}/replace`, body).then(
      (info) => {
        setOutcome({ ok: true, text: t(module === null ? 'serviceReloaded' : 'serviceReplaced', { name: info.name, version: info.version }) });
        services.reload();
      },
      (err: unknown) => setOutcome({ ok: false, text: t('serviceReplaceFailed', { name, message: errorText(err) }) }),
    ).finally(() => setBusy(null));
  };

  const chosen = target || services.items?.[0]?.name || '';
  return (
    <div class="admin-services">
      <div class="card">
        <div class="admin-toolbar"><h2>{t('adminServices')}</h2></div>
        <ErrorLine id="services-error" message={services.error && t('error', { message: services.error })} />
        {outcome && <p id="service-outcome" class={outcome.ok ? 'ok' : 'form-error'} role={outcome.ok ? 'status' : 'alert'}>{outcome.text}</p>}
        {services.items === null && !services.error && <p class="muted">{t('loading')}</p>}
        {services.items && (
          <table class="admin-list" id="services">
            <thead>
              <tr>
                <th>{t('serviceName')}</th><th>{t('serviceVersion')}</th><th>{t('status')}</th><th>{t('serviceHealth')}</th>
                <th>{t('serviceDependsOn')}</th><th>{t('serviceStartedAt')}</th><th>{t('serviceOrigin')}</th><th />
              </tr>
            </thead>
            <tbody>
              {services.items.map((s) => (
                <tr data-service={s.name} data-status={s.status} data-health={s.health.status} data-started-at={s.startedAt ?? ''}>
                  <td title={s.description}><b>{s.name}</b></td>
                  <td>{s.version}</td>
                  <td><span class={`svc-status svc-${s.status}`}>{s.status}</span></td>
                  <td>
                    <span class={`svc-health svc-health-${s.health.status}`}>{s.health.status}</span>
                    {s.health.detail && <small class="muted"> {s.health.detail}</small>}
                  </td>
                  <td><span class="chips">{s.dependsOn.map((d) => <span class="chip">{d}</span>)}</span></td>
                  <td>{startedAt(s.startedAt, lang)}</td>
                  <td>{s.origin === 'builtin' ? t('serviceBuiltin') : <code>{s.origin}</code>}</td>
                  <td>
                    <button class="small secondary" data-reload={s.name} disabled={busy !== null} onClick={() => replace(s.name, null)}>
                      {busy === s.name ? t('serviceWorking') : t('serviceReload')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form class="card admin-form" id="service-replace" onSubmit={(e) => { e.preventDefault(); replace(chosen, modulePath.trim()); }}>
        <h2>{t('serviceReplaceTitle')}</h2>
        <p class="muted">{t('serviceReplaceHelp')}</p>
        <div class="service-replace-row">
          <SelectInput id="service-target" label={t('serviceName')} value={chosen} onValue={setTarget}
            options={(services.items ?? []).map((s) => ({ value: s.name, label: s.name }))} />
          <TextInput id="service-module" label={t('serviceModule')} value={modulePath} placeholder="services/my-service.js" hint={t('serviceModuleHint')} onValue={setModulePath} />
          <button id="service-replace-submit" type="submit" disabled={busy !== null || chosen === '' || modulePath.trim() === ''}>{t('serviceReplace')}</button>
        </div>
      </form>
    </div>
  );
}
