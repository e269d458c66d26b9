// Admin console, trunks: the SIP trunks with their registration state, and a form to
// add, change or delete one (PUT/DELETE /api/trunks/:name; the running engine picks the
// change up). The password is write-only: the list only says whether one is set.
import { useI18n } from '../../i18n/index.js';
import type { Trunk } from '../../wire.js';
import { AdminForm, CheckInput, ErrorLine, NumberInput, SelectInput, TextInput, toInteger, useAdminList, useRecordEditor } from './form.js';

/** The form's fields as typed; empty text means "not set" (the server's default). */
interface Draft {
  name: string;
  host: string;
  port: string;
  transport: string;
  username: string;
  password: string;
  register: boolean;
  fromDomain: string;
  callerId: string;
  inboundAddresses: string;
}

const emptyDraft: Draft = { name: '', host: '', port: '', transport: 'udp', username: '', password: '', register: false, fromDomain: '', callerId: '', inboundAddresses: '' };

function draftOf(trunk: Trunk): Draft {
  return {
    name: trunk.name, host: trunk.host, port: String(trunk.port), transport: trunk.transport, username: trunk.username ?? '',
    password: '', register: trunk.register, fromDomain: trunk.fromDomain ?? '', callerId: trunk.callerId ?? '', inboundAddresses: trunk.inboundAddresses.join(', '),
  };
}

/** The PUT body: the config file's trunk fields without the name; no password keeps the stored one. */
function bodyOf(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = { host: d.host.trim(), transport: d.transport, register: d.register };
  const port = toInteger(d.port);
  if (port !== undefined) body['port'] = port;
  if (d.username.trim() !== '') body['username'] = d.username.trim();
  if (d.password !== '') body['password'] = d.password;
  if (d.fromDomain.trim() !== '') body['fromDomain'] = d.fromDomain.trim();
  if (d.callerId.trim() !== '') body['callerId'] = d.callerId.trim();
  const inbound = d.inboundAddresses.split(/[\s,]+/).filter((a) => a !== '');
  if (inbound.length > 0) body['inboundAddresses'] = inbound;
  return body;
}

export function TrunksSection() {
  const { t } = useI18n();
  const trunks = useAdminList<Trunk>('/api/trunks', 5000);
  const { selected, closed, form: draft, set, notice, open, formProps } = useRecordEditor<Trunk, Draft>({
    url: '/api/trunks', list: trunks, keyOf: (tr) => tr.name, toForm: draftOf, emptyForm: () => emptyDraft, newKey: (d) => d.name, toBody: bodyOf,
    savedNotice: () => t('saved'), deletedNotice: (name) => t('trunkDeleted', { name }), closable: true,
  });
  const current = selected === null ? null : trunks.items?.find((tr) => tr.name === selected) ?? null;

  return (
    <div class="admin-section">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminTrunks')}</h2>
          <button id="trunk-new" class="secondary" onClick={() => open(null)}>+ {t('trunkNew')}</button>
        </div>
        <ErrorLine id="trunks-error" message={trunks.error && t('error', { message: trunks.error })} />
        {trunks.items === null && !trunks.error && <p class="muted">{t('loading')}</p>}
        {trunks.items && trunks.items.length === 0 && <p class="muted">{t('trunkNone')}</p>}
        {trunks.items && trunks.items.length > 0 && (
          <table class="admin-list" id="trunks">
            <thead><tr><th>{t('trunkName')}</th><th>{t('trunkAddress')}</th><th>{t('username')}</th><th>{t('trunkRegistration')}</th><th>{t('telOrigin')}</th></tr></thead>
            <tbody>
              {trunks.items.map((tr) => (
                <tr class={`selectable${tr.name === selected ? ' selected' : ''}`} data-trunk={tr.name} onClick={() => open(tr)}>
                  <td><b>{tr.name}</b></td>
                  <td><code>{tr.host}:{tr.port}/{tr.transport}</code></td>
                  <td>{tr.username ?? '—'}{tr.hasPassword && <span class="badge">{t('trunkPasswordSet')}</span>}</td>
                  <td class="trunk-registration" data-state={tr.registration?.state ?? 'none'}>
                    {tr.registration === null ? <span class="muted">{t('trunkNoRegistration')}</span> : (
                      <>
                        <span class={`reg reg-${tr.registration.state}`}>{tr.registration.state}</span>
                        {tr.registration.detail && <small class="muted"> {tr.registration.detail}</small>}
                      </>
                    )}
                  </td>
                  <td>{tr.origin === 'config' ? t('telOriginConfig') : t('telOriginApi')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="card">
        {closed ? (
          notice && <p class="ok" id="trunk-form-notice">{notice}</p>
        ) : (
          <AdminForm id="trunk-form" title={selected !== null ? t('trunkEdit', { name: selected }) : t('trunkNew')} {...formProps}>
            {current?.origin === 'config' && <p class="muted">{t('trunkFromConfig')}</p>}
            <div class="fields">
              <TextInput id="trunk-name" label={t('trunkName')} value={selected ?? draft.name} disabled={selected !== null} onValue={set('name')} />
              <TextInput id="trunk-host" label={t('trunkHost')} path="host" value={draft.host} placeholder="sip.example.net" onValue={set('host')} />
              <NumberInput id="trunk-port" label={t('trunkPort')} path="port" value={draft.port} min={1} max={65535} placeholder="5060" onValue={set('port')} />
              <SelectInput id="trunk-transport" label={t('trunkTransport')} path="transport" value={draft.transport} onValue={set('transport')}
                options={[{ value: 'udp', label: 'UDP' }, { value: 'tcp', label: 'TCP' }]} />
              <TextInput id="trunk-username" label={t('username')} path="username" value={draft.username} onValue={set('username')} />
              <TextInput id="trunk-password" type="password" label={t('password')} path="password" value={draft.password} autoComplete="new-password"
                placeholder={current?.hasPassword ? t('trunkPasswordSet') : ''} hint={current?.hasPassword ? t('trunkPasswordKeep') : undefined} onValue={set('password')} />
              <TextInput id="trunk-from-domain" label={t('trunkFromDomain')} path="fromDomain" value={draft.fromDomain} onValue={set('fromDomain')} />
              <TextInput id="trunk-caller-id" label={t('trunkCallerId')} path="callerId" value={draft.callerId} onValue={set('callerId')} />
              <TextInput id="trunk-inbound" label={t('trunkInbound')} path="inboundAddresses" wide value={draft.inboundAddresses} hint={t('trunkInboundHint')}
                onValue={set('inboundAddresses')} />
              <CheckInput id="trunk-register" label={t('trunkRegister')} path="register" wide checked={draft.register} onValue={set('register')} />
            </div>
          </AdminForm>
        )}
      </div>
    </div>
  );
}
