// Admin → Queues: the queues with their live figures (GET /api/queues, refreshed every
// few seconds) and a form that creates, replaces or deletes one (PUT/DELETE /api/queues/:name).
// The form covers every field of the PUT body (server/src/services/acd/routes.ts); escalation
// rules, the agent whisper, the wallboard's thresholds and the recording policy, nested objects,
// are edited as JSON.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import type { ExitDestination, QueueDefinition, QueueView, ScriptInfo } from '../../wire.js';
import { useI18n, type MessageKey, type Translate } from '../../i18n/index.js';
import { duration } from '../../format.js';
import {
  AdminForm, CheckInput, NamedNumbersEditor, NumberInput, SelectInput, TextArea, TextInput,
  namedNumbersToRecord, recordToNamedNumbers, toInteger, useAdminList, useNames, useRecordEditor,
  type FormProblem, type NamedNumber,
} from './form.js';
import { logFailure } from '../../log.js';

/** server/src/config/schema.ts QueueStrategies, in the same order (each checked against the server's strategy names). */
const strategies = ['ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'random', 'linear', 'skills-based'] as const satisfies ReadonlyArray<QueueDefinition['strategy']>;

/** The PUT body's exit keys and the reasons the definition files them under. */
const exitKeys = [
  { key: 'maxWait', reason: 'max-wait', label: 'admExitMaxWait' },
  { key: 'exitKey', reason: 'exit-key', label: 'admExitOnKey' },
  { key: 'empty', reason: 'empty', label: 'admExitEmpty' },
  { key: 'full', reason: 'full', label: 'admExitFull' },
] as const satisfies ReadonlyArray<{ key: string; reason: keyof QueueDefinition['exits']; label: MessageKey }>;
type ExitKey = (typeof exitKeys)[number]['key'];

interface ExitForm { type: '' | ExitDestination['type']; target: string }

interface QueueForm {
  name: string;
  strategy: string;
  ringTimeoutSeconds: string;
  wrapUpSeconds: string;
  maxWaitSeconds: string;
  maxWaiting: string;
  musicOnHold: string;
  script: string;
  joinEmpty: boolean;
  leaveWhenEmpty: boolean;
  announce: boolean;
  announceInterval: string;
  announcePosition: boolean;
  announceWait: boolean;
  exitKey: string;
  callbackKey: string;
  exits: Record<ExitKey, ExitForm>;
  overflowAfter: string;
  overflowQueue: string;
  callbackAttempts: string;
  callbackRetry: string;
  callbackRing: string;
  requiredSkills: NamedNumber[];
  /** JSON of { escalation?, whisper? }. */
  advanced: string;
}

const noExit: ExitForm = { type: '', target: '' };

function emptyForm(): QueueForm {
  return {
    name: '', strategy: 'longest-idle', ringTimeoutSeconds: '', wrapUpSeconds: '', maxWaitSeconds: '', maxWaiting: '', musicOnHold: '', script: '',
    joinEmpty: true, leaveWhenEmpty: false, announce: false, announceInterval: '60', announcePosition: true, announceWait: true,
    exitKey: '', callbackKey: '', exits: { maxWait: noExit, exitKey: noExit, empty: noExit, full: noExit },
    overflowAfter: '', overflowQueue: '', callbackAttempts: '', callbackRetry: '', callbackRing: '', requiredSkills: [], advanced: '',
  };
}

function exitForm(d: ExitDestination | undefined): ExitForm {
  if (d === undefined) return noExit;
  switch (d.type) {
    case 'voicemail': return { type: d.type, target: d.box };
    case 'queue': return { type: d.type, target: d.queue };
    case 'flow': return { type: d.type, target: d.flow };
    case 'hangup': return { type: d.type, target: d.message ?? '' };
  }
}

function formFromDefinition(d: QueueDefinition): QueueForm {
  const advanced: Record<string, unknown> = {};
  if (d.escalation.length > 0) advanced['escalation'] = d.escalation;
  if (d.whisper !== undefined) advanced['whisper'] = d.whisper;
  if (d.thresholds !== undefined) advanced['thresholds'] = d.thresholds;
  if (d.recording !== undefined) advanced['recording'] = d.recording;
  return {
    name: d.name, strategy: d.strategy, ringTimeoutSeconds: String(d.ringTimeoutSeconds), wrapUpSeconds: String(d.wrapUpSeconds),
    maxWaitSeconds: String(d.maxWaitSeconds), maxWaiting: String(d.maxWaiting), musicOnHold: d.musicOnHold ?? '', script: d.script ?? '',
    joinEmpty: d.joinEmpty, leaveWhenEmpty: d.leaveWhenEmpty,
    announce: d.announcements !== undefined, announceInterval: String(d.announcements?.intervalSeconds ?? 60),
    announcePosition: d.announcements?.position ?? true, announceWait: d.announcements?.estimatedWait ?? true,
    exitKey: d.exitKey ?? '', callbackKey: d.callbackKey ?? '',
    exits: Object.fromEntries(exitKeys.map((e) => [e.key, exitForm(d.exits[e.reason])])) as Record<ExitKey, ExitForm>,
    overflowAfter: d.overflow ? String(d.overflow.afterSeconds) : '', overflowQueue: d.overflow?.queue ?? '',
    callbackAttempts: String(d.callback.attempts), callbackRetry: String(d.callback.retryDelaySeconds), callbackRing: String(d.callback.ringTimeoutSeconds),
    requiredSkills: recordToNamedNumbers(d.requiredSkills),
    advanced: Object.keys(advanced).length > 0 ? JSON.stringify(advanced, null, 2) : '',
  };
}

function destination(e: ExitForm): ExitDestination | undefined {
  const target = e.target.trim();
  switch (e.type) {
    case '': return undefined;
    case 'voicemail': return { type: 'voicemail', box: target };
    case 'queue': return { type: 'queue', queue: target };
    case 'flow': return { type: 'flow', flow: target };
    case 'hangup': return target === '' ? { type: 'hangup' } : { type: 'hangup', message: target };
  }
}

/** Leaves out what the admin left empty, so the server's defaults apply. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The advanced JSON as an object; throws SyntaxError when it does not parse or is not one. */
function parseAdvanced(text: string): Record<string, unknown> {
  const advanced: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (typeof advanced !== 'object' || advanced === null || Array.isArray(advanced)) throw new SyntaxError('{ "escalation": [...], "whisper": {...}, "thresholds": {...}, "recording": {...} }');
  return advanced as Record<string, unknown>;
}

/** Why the form cannot be sent: advanced JSON that `parseAdvanced` refuses. */
function advancedProblem(f: QueueForm, t: Translate): FormProblem | null {
  try {
    parseAdvanced(f.advanced);
    return null;
  } catch (err) {
    return { message: t('admBadJson', { message: err instanceof Error ? err.message : String(err) }), fields: ['escalation', 'whisper', 'thresholds', 'recording'] };
  }
}

/** The PUT body; throws SyntaxError when the advanced JSON is bad (`advancedProblem` says so first). */
function bodyFromForm(f: QueueForm): Record<string, unknown> {
  const exits = compact(Object.fromEntries(exitKeys.map((e) => [e.key, destination(f.exits[e.key])])));
  const callback = compact({ attempts: toInteger(f.callbackAttempts), retryDelaySeconds: toInteger(f.callbackRetry), ringTimeoutSeconds: toInteger(f.callbackRing) });
  return compact({
    strategy: f.strategy,
    ringTimeoutSeconds: toInteger(f.ringTimeoutSeconds),
    wrapUpSeconds: toInteger(f.wrapUpSeconds),
    maxWaitSeconds: toInteger(f.maxWaitSeconds),
    maxWaiting: toInteger(f.maxWaiting),
    musicOnHold: f.musicOnHold.trim() === '' ? undefined : f.musicOnHold.trim(),
    script: f.script === '' ? undefined : f.script,
    joinEmpty: f.joinEmpty,
    leaveWhenEmpty: f.leaveWhenEmpty,
    announcements: f.announce ? compact({ intervalSeconds: toInteger(f.announceInterval), position: f.announcePosition, estimatedWait: f.announceWait }) : undefined,
    exitKey: f.exitKey.trim() === '' ? undefined : f.exitKey.trim(),
    callbackKey: f.callbackKey.trim() === '' ? undefined : f.callbackKey.trim(),
    exits: Object.keys(exits).length > 0 ? exits : undefined,
    overflow: f.overflowQueue === '' ? undefined : compact({ afterSeconds: toInteger(f.overflowAfter), queue: f.overflowQueue }),
    callback: Object.keys(callback).length > 0 ? callback : undefined,
    requiredSkills: f.requiredSkills.length > 0 ? namedNumbersToRecord(f.requiredSkills) : undefined,
    ...parseAdvanced(f.advanced),
  });
}

export function QueuesSection() {
  const { t } = useI18n();
  const queues = useAdminList<QueueView>('/api/queues', 5000);
  const { selected, form, setForm, set, open, formProps } = useRecordEditor<QueueView, QueueForm>({
    url: '/api/queues', list: queues, keyOf: (q) => q.name, toForm: (q) => formFromDefinition(q.definition), emptyForm, newKey: (f) => f.name, toBody: bodyFromForm,
    check: (name, f) => (name === '' ? { message: t('admNameRequired'), fields: ['name'] } : advancedProblem(f, t)),
    savedNotice: (name) => t('admSavedName', { name }), deletedNotice: (name) => t('admDeletedName', { name }),
  });
  const setExit = (key: ExitKey, change: Partial<ExitForm>): void => setForm((f) => ({ ...f, exits: { ...f.exits, [key]: { ...f.exits[key], ...change } } }));
  const queueNames = (queues.items ?? []).map((q) => q.name);
  const otherQueues = queueNames.filter((n) => n !== selected);
  const flows = useNames('/api/flows');
  const boxes = useNames('/api/voicemail/boxes');
  const scripts = useScriptIds();
  const scriptOptions = [{ value: '', label: t('admScriptByName') }, ...scripts.map((id) => ({ value: id, label: id }))];
  const suggestionsFor: Record<ExitForm['type'], string[]> = { '': [], voicemail: boxes, queue: otherQueues, flow: flows, hangup: [] };
  const strategyOptions = strategies.map((s) => ({ value: s, label: t(`strategy.${s}`) }));

  return (
    <div class="admin-section" id="admin-queues">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminQueues')}</h2>
          <button type="button" id="queue-new" onClick={() => open(null)}>+ {t('admNewQueue')}</button>
        </div>
        {queues.error && <p class="error">{t('error', { message: queues.error })}</p>}
        {queues.items === null ? <p class="muted">{t('loading')}</p> : queues.items.length === 0 ? <p class="muted">{t('noQueues')}</p> : (
          <table class="admin-list" id="queue-list">
            <thead>
              <tr>
                <th>{t('admQueueName')}</th><th>{t('admStrategy')}</th><th>{t('admRingShort')}</th><th>{t('admWrapShort')}</th>
                <th>{t('waiting')}</th><th>{t('longestWait')}</th><th title={t('admAgentsLiveHint')}>{t('admAgentsLive')}</th>
              </tr>
            </thead>
            <tbody>
              {queues.items.map((q) => (
                <tr class={`selectable${q.name === selected ? ' selected' : ''}`} data-queue={q.name} onClick={() => open(q)}>
                  <td><button type="button" class="link">{q.name}</button></td>
                  <td class="strategy">{t(`strategy.${q.strategy}` as MessageKey)}</td>
                  <td class="num">{q.definition.ringTimeoutSeconds} s</td>
                  <td class="num">{q.definition.wrapUpSeconds} s</td>
                  <td class="num waiting">{q.live.waiting}</td>
                  <td class="num">{q.live.waiting > 0 ? duration(q.live.longestWaitSeconds) : '—'}</td>
                  <td class="num agents" title={t('admAgentsLiveHint')}>
                    {q.live.agentsLoggedIn} / {q.live.agentsReady} / {q.live.agentsBusy} / {q.live.agentsOnBreak}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div class="card form-card">
        <AdminForm id="queue-form" title={selected === null ? t('admNewQueue') : t('admEditQueue', { name: selected })} {...formProps}>
          <h3>{t('admGroupRouting')}</h3>
          <div class="fields">
            {selected === null && <TextInput id="queue-name" path="name" label={t('admQueueName')} value={form.name} onValue={set('name')} hint={t('admNameHint')} />}
            <SelectInput id="queue-strategy" label={t('admStrategy')} path="strategy" value={form.strategy} onValue={set('strategy')} options={strategyOptions} />
            <NumberInput id="queue-ringTimeoutSeconds" path="ringTimeoutSeconds" label={t('admRingTimeout')} value={form.ringTimeoutSeconds} onValue={set('ringTimeoutSeconds')} min={5} max={300} placeholder="20" />
            <NumberInput id="queue-wrapUpSeconds" path="wrapUpSeconds" label={t('admWrapUp')} value={form.wrapUpSeconds} onValue={set('wrapUpSeconds')} min={0} max={3600} placeholder="0" />
            <SelectInput id="queue-script" path="script" label={t('admQueueScript')} value={form.script} onValue={set('script')} options={scriptOptions} />
          </div>
          <h3>{t('admGroupWaiting')}</h3>
          <div class="fields">
            <NumberInput id="queue-maxWaitSeconds" path="maxWaitSeconds" label={t('admMaxWait')} value={form.maxWaitSeconds} onValue={set('maxWaitSeconds')} min={0} placeholder="0" hint={t('admZeroNoLimit')} />
            <NumberInput id="queue-maxWaiting" path="maxWaiting" label={t('admMaxWaiting')} value={form.maxWaiting} onValue={set('maxWaiting')} min={0} placeholder="0" hint={t('admZeroNoLimit')} />
            <TextInput id="queue-musicOnHold" path="musicOnHold" label={t('admMusicOnHold')} value={form.musicOnHold} onValue={set('musicOnHold')} placeholder="music-on-hold" hint={t('admMusicHint')} />
            <TextInput id="queue-exitKey" path="exitKey" label={t('admExitKey')} value={form.exitKey} onValue={set('exitKey')} placeholder="0" hint={t('admKeyHint')} />
            <TextInput id="queue-callbackKey" path="callbackKey" label={t('admCallbackKey')} value={form.callbackKey} onValue={set('callbackKey')} placeholder="*" hint={t('admKeyHint')} />
            <CheckInput id="queue-joinEmpty" path="joinEmpty" label={t('admJoinEmpty')} checked={form.joinEmpty} onValue={set('joinEmpty')} wide />
            <CheckInput id="queue-leaveWhenEmpty" path="leaveWhenEmpty" label={t('admLeaveWhenEmpty')} checked={form.leaveWhenEmpty} onValue={set('leaveWhenEmpty')} wide />
          </div>
          <h3>{t('admGroupAnnouncements')}</h3>
          <div class="fields">
            <CheckInput id="queue-announce" path="announcements" label={t('admAnnounce')} checked={form.announce} onValue={set('announce')} wide />
            {form.announce && (
              <>
                <NumberInput id="queue-announceInterval" path="announcements/intervalSeconds" label={t('admAnnounceEvery')} value={form.announceInterval} onValue={set('announceInterval')} min={10} max={3600} />
                <CheckInput id="queue-announcePosition" label={t('admAnnouncePosition')} checked={form.announcePosition} onValue={set('announcePosition')} />
                <CheckInput id="queue-announceWait" label={t('admAnnounceWait')} checked={form.announceWait} onValue={set('announceWait')} />
              </>
            )}
          </div>
          <h3>{t('admGroupExits')}</h3>
          <div class="fields exits">
            {exitKeys.map((e) => {
              const exit = form.exits[e.key];
              const listId = `queue-exit-${e.key}-suggestions`;
              return (
                <>
                  <SelectInput id={`queue-exit-${e.key}`} path={`exits/${e.key}`} label={t(e.label)} value={exit.type}
                    onValue={(v) => setExit(e.key, { type: v as ExitForm['type'] })}
                    options={(['', 'voicemail', 'queue', 'flow', 'hangup'] as const).map((d) => ({ value: d, label: t(`dest.${d === '' ? 'default' : d}`) }))} />
                  {exit.type !== '' ? (
                    <TextInput id={`queue-exit-${e.key}-target`} path={`exits/${e.key}`} label={t(`destTarget.${exit.type}`)} value={exit.target}
                      onValue={(v) => setExit(e.key, { target: v })} list={listId} />
                  ) : <span />}
                  <datalist id={listId}>{suggestionsFor[exit.type].map((s) => <option value={s} />)}</datalist>
                </>
              );
            })}
          </div>
          <h3>{t('admGroupOverflow')}</h3>
          <div class="fields">
            <SelectInput id="queue-overflowQueue" path="overflow" label={t('admOverflowQueue')} value={form.overflowQueue} onValue={set('overflowQueue')}
              options={[{ value: '', label: t('admNone') }, ...(form.overflowQueue !== '' && !otherQueues.includes(form.overflowQueue) ? [form.overflowQueue] : []).concat(otherQueues).map((n) => ({ value: n, label: n }))]} />
            {form.overflowQueue !== '' && (
              <NumberInput id="queue-overflowAfter" path="overflow/afterSeconds" label={t('admOverflowAfter')} value={form.overflowAfter} onValue={set('overflowAfter')} min={1} />
            )}
          </div>
          <h3>{t('admGroupCallbacks')}</h3>
          <div class="fields">
            <NumberInput id="queue-callbackAttempts" path="callback/attempts" label={t('admCallbackAttempts')} value={form.callbackAttempts} onValue={set('callbackAttempts')} min={1} max={10} placeholder="3" />
            <NumberInput id="queue-callbackRetry" path="callback/retryDelaySeconds" label={t('admCallbackRetry')} value={form.callbackRetry} onValue={set('callbackRetry')} min={10} max={86400} placeholder="60" />
            <NumberInput id="queue-callbackRing" path="callback/ringTimeoutSeconds" label={t('admCallbackRing')} value={form.callbackRing} onValue={set('callbackRing')} min={5} max={300} placeholder="30" />
          </div>
          <h3>{t('admGroupSkills')}</h3>
          <p class="muted">{t('admRequiredSkillsHint')}</p>
          <NamedNumbersEditor id="queue-skills" path="requiredSkills" rows={form.requiredSkills} onRows={set('requiredSkills')}
            nameLabel={t('admSkill')} valueLabel={t('admMinLevel')} addLabel={t('admAddSkill')} min={1} max={10} defaultValue="1" />
          <h3>{t('admGroupAdvanced')}</h3>
          <TextArea id="queue-advanced" path={['escalation', 'whisper', 'thresholds', 'recording']} label={t('admAdvancedHint')} value={form.advanced} onValue={set('advanced')}
            placeholder={'{\n  "escalation": [{ "afterSeconds": 60, "skills": { "billing": 0 } }],\n  "whisper": { "prompts": ["sales-whisper"] }\n}'} />
        </AdminForm>
      </div>
    </div>
  );
}

/** The ids of the dialogue scripts in the library, for the queue's script. */
function useScriptIds(): string[] {
  const [ids, setIds] = useState<string[]>([]);
  useEffect(() => {
    api.get<ScriptInfo[]>('/api/scripts').then((list) => setIds(list.map((s) => s.id)), logFailure('reading the scripts'));
  }, []);
  return ids;
}
