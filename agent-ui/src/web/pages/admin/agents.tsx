// Admin → Agents: every ACD agent with device, queues (and penalty), skills (and level)
// and live state (GET /api/agents, refreshed every few seconds), and a form that creates,
// updates or deletes one (PUT/DELETE /api/agents/:login; its state is kept on update).
// A SIP device's secret is shown as set/missing; "generate new secret" shows a new one once.
// A SIP device's digest is SHA-256 first (recommended) or MD5 only, for an older phone.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import {
  AdminForm, NamedNumbersEditor, SelectInput, TextInput, namedNumbersToRecord, recordToNamedNumbers, toInteger,
  useAdminList, useNames, useRecordEditor, type NamedNumber,
} from './form.js';
import type { AgentDevice, AgentView, DeviceDigest, NewSipSecret } from '../../wire.js';

interface AgentForm {
  login: string;
  name: string;
  deviceType: AgentDevice['type'];
  number: string;
  trunk: string;
  digest: DeviceDigest;
  skills: NamedNumber[];
  queues: NamedNumber[];
}

const emptyForm = (): AgentForm => ({ login: '', name: '', deviceType: 'softphone', number: '', trunk: '', digest: 'sha-256', skills: [], queues: [] });

function formFromAgent(a: AgentView): AgentForm {
  return {
    login: a.login, name: a.name, deviceType: a.device.type,
    number: a.device.type === 'softphone' || a.device.type === 'webrtc' ? '' : a.device.number ?? '',
    trunk: a.device.type === 'softphone' || a.device.type === 'webrtc' ? '' : a.device.trunk ?? '',
    digest: a.sipDigest ?? 'sha-256',
    skills: recordToNamedNumbers(a.skills),
    queues: a.queues.map((q) => ({ name: q.queue, value: String(q.penalty) })),
  };
}

/** Whether the form's device is a phone that registers to Tenor (and so has a secret and a digest choice). */
const registers = (f: AgentForm): boolean => f.deviceType === 'softphone' || (f.deviceType === 'persistent' && f.number.trim() === '');

function deviceFromForm(f: AgentForm): AgentDevice & { digest?: DeviceDigest } {
  const number = f.number.trim();
  const trunk = f.trunk.trim();
  const via = trunk === '' ? {} : { trunk };
  if (f.deviceType === 'softphone') return { type: 'softphone', digest: f.digest };
  // The browser phone needs no secret; its fallback and auto-answer are kept in the site file for now.
  if (f.deviceType === 'webrtc') return { type: 'webrtc' };
  // An external phone needs a number: an empty one goes to the server as such, which says so.
  if (f.deviceType === 'external') return { type: 'external', number, ...via };
  return { type: 'persistent', ...(number === '' ? { digest: f.digest } : { number }), ...via };
}

function bodyFromForm(f: AgentForm): Record<string, unknown> {
  return {
    name: f.name.trim(),
    device: deviceFromForm(f),
    skills: namedNumbersToRecord(f.skills),
    queues: f.queues.filter((q) => q.name !== '').map((q) => {
      const penalty = toInteger(q.value);
      return penalty === undefined ? { queue: q.name } : { queue: q.name, penalty };
    }),
  };
}

function DeviceText(props: { device: AgentDevice }) {
  const { t } = useI18n();
  const d = props.device;
  const where = d.type === 'softphone' || d.type === 'webrtc' ? '' : [d.number, d.trunk !== undefined ? `@${d.trunk}` : ''].join('');
  return <span class="device" data-device={d.type}>{t(`device.${d.type}`)}{where !== '' && <span class="muted"> {where}</span>}</span>;
}

/**
 * The saved agent's SIP device secret: its state, and a new one generated and shown once
 * (`shown`: the last secret the server generated, by this panel or by saving a new agent).
 */
function SipSecretPanel(props: { agent: AgentView; shown: NewSipSecret | null; onShown: (s: NewSipSecret) => void; onChanged: () => void }) {
  const { t } = useI18n();
  const { shown } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { agent } = props;
  if (agent.sipSecret === 'none') return null;
  const user = shown?.login === agent.login ? shown.sipUser : agent.login;
  const generate = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      props.onShown(await api.post<NewSipSecret>(`/api/agents/${encodeURIComponent(agent.login)}/sip-secret`, {}));
      props.onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sip-secret" id="agent-sip-secret" data-sip-secret={agent.sipSecret}>
      <h3>{t('admSipSecret')}</h3>
      <p class="muted">{t('admSipSecretHint', { user })}</p>
      <p><span class={`badge sip-secret-${agent.sipSecret}`}>{t(`sipSecret.${agent.sipSecret}`)}</span></p>
      <button type="button" id="agent-sip-secret-generate" disabled={busy} onClick={() => void generate()}>{t('admSipSecretGenerate')}</button>
      {shown !== null && shown.login === agent.login && (
        <p class="notice" id="agent-sip-secret-shown">{t('admSipSecretShown', { user: shown.sipUser, secret: shown.secret })}</p>
      )}
      {error !== null && <p class="error">{error}</p>}
    </div>
  );
}

export function AgentsSection() {
  const { t } = useI18n();
  const [shownSecret, setShownSecret] = useState<NewSipSecret | null>(null);
  const agents = useAdminList<AgentView>('/api/agents', 5000);
  const queues = useNames('/api/queues');
  const trunks = useNames('/api/trunks');
  const { selected, form, set, open, formProps } = useRecordEditor<AgentView, AgentForm>({
    url: '/api/agents', list: agents, keyOf: (a) => a.login, toForm: formFromAgent, emptyForm, newKey: (f) => f.login, toBody: bodyFromForm,
    check: (login) => (login === '' ? { message: t('admLoginRequired'), fields: ['login'] } : null),
    savedNotice: (login) => t('admSavedName', { name: login }), deletedNotice: (login) => t('admDeletedName', { name: login }),
    onSaved: (a) => setShownSecret(a.secret === undefined ? null : { login: a.login, sipUser: a.login, secret: a.secret }),
  });
  const selectedAgent = (agents.items ?? []).find((a) => a.login === selected);
  const knownSkills = [...new Set((agents.items ?? []).flatMap((a) => Object.keys(a.skills)))].sort();
  const deviceOptions = (['softphone', 'external', 'persistent'] as const).map((d) => ({ value: d, label: t(`device.${d}`) }));
  const digestOptions = (['sha-256', 'md5'] as const).map((d) => ({ value: d, label: t(`digest.${d}`) }));

  return (
    <div class="admin-section" id="admin-agents">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminAgents')}</h2>
          <button type="button" id="agent-new" onClick={() => open(null)}>+ {t('admNewAgent')}</button>
        </div>
        {agents.error && <p class="error">{t('error', { message: agents.error })}</p>}
        {agents.items === null ? <p class="muted">{t('loading')}</p> : agents.items.length === 0 ? <p class="muted">{t('noAgents')}</p> : (
          <table class="admin-list" id="agent-list">
            <thead>
              <tr><th>{t('admLogin')}</th><th>{t('admName')}</th><th>{t('admDevice')}</th><th>{t('queues')}</th><th>{t('admSkills')}</th><th>{t('stateLabel')}</th></tr>
            </thead>
            <tbody>
              {agents.items.map((a) => (
                <tr class={`selectable${a.login === selected ? ' selected' : ''}`} data-agent={a.login} data-state={a.state} onClick={() => open(a)}>
                  <td><button type="button" class="link">{a.login}</button></td>
                  <td>{a.name}</td>
                  <td><DeviceText device={a.device} /></td>
                  <td>
                    <div class="chips queues">
                      {a.queues.map((q) => <span class="chip" data-queue={q.queue} title={t('admPenalty')}>{q.queue}<b>{q.penalty}</b></span>)}
                    </div>
                  </td>
                  <td>
                    <div class="chips skills">
                      {Object.entries(a.skills).map(([skill, level]) => <span class="chip" data-skill={skill} data-level={level} title={t('admLevel')}>{skill}<b>{level}</b></span>)}
                    </div>
                  </td>
                  <td>
                    <span class={`state s-${a.state}`}>{t(`state.${a.state}` as MessageKey)}</span>
                    {a.state === 'break' && a.reason !== '' && <span class="muted"> {a.reason}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div class="card form-card">
        <AdminForm id="agent-form" title={selected === null ? t('admNewAgent') : t('admEditAgent', { name: selected })} {...formProps}>
          <div class="fields">
            {selected === null && <TextInput id="agent-login" path="login" label={t('admLogin')} value={form.login} onValue={set('login')} hint={t('admAgentLoginHint')} />}
            <TextInput id="agent-name" path="name" label={t('admName')} value={form.name} onValue={set('name')} />
          </div>
          <h3>{t('admDevice')}</h3>
          <div class="fields">
            <SelectInput id="agent-device" path="device" label={t('admDeviceType')} value={form.deviceType} onValue={(v) => set('deviceType')(v as AgentDevice['type'])} options={deviceOptions} />
            {form.deviceType !== 'softphone' && (
              <>
                <TextInput id="agent-device-number" path="device" label={t('admDeviceNumber')} value={form.number} onValue={set('number')}
                  hint={form.deviceType === 'persistent' ? t('admPersistentHint') : undefined} />
                <TextInput id="agent-device-trunk" path="device" label={t('admDeviceTrunk')} value={form.trunk} onValue={set('trunk')} list="agent-trunks" placeholder={t('admDefaultTrunk')} />
                <datalist id="agent-trunks">{trunks.map((n) => <option value={n} />)}</datalist>
              </>
            )}
          </div>
          {form.deviceType === 'softphone' && <p class="muted">{t('admSoftphoneHint')}</p>}
          {registers(form) && (
            <div class="fields">
              <SelectInput id="agent-device-digest" path="device" label={t('admDigest')} value={form.digest} onValue={(v) => set('digest')(v as DeviceDigest)}
                options={digestOptions} hint={t('admDigestHint')} />
            </div>
          )}
          {selectedAgent !== undefined && <SipSecretPanel agent={selectedAgent} shown={shownSecret} onShown={setShownSecret} onChanged={agents.reload} />}
          <h3>{t('queues')}</h3>
          <p class="muted">{t('admPenaltyHint')}</p>
          <NamedNumbersEditor id="agent-queues" path="queues" rows={form.queues} onRows={set('queues')} choices={queues}
            nameLabel={t('queue')} valueLabel={t('admPenalty')} addLabel={t('admAddQueue')} min={0} max={100} defaultValue="0" />
          <h3>{t('admSkills')}</h3>
          <p class="muted">{t('admSkillsHint')}</p>
          <NamedNumbersEditor id="agent-skills" path="skills" rows={form.skills} onRows={set('skills')} suggestions={knownSkills}
            nameLabel={t('admSkill')} valueLabel={t('admLevel')} addLabel={t('admAddSkill')} min={1} max={10} defaultValue="5" />
        </AdminForm>
      </div>
    </div>
  );
}
