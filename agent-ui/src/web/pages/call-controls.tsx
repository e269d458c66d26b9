// The agent's call controls while connected to a customer: hold / resume, hang up, and
// transfer — blind, or attended (consult the target first, then complete or cancel).
// The controls act on the server (docs/web-client.md): the same buttons work for a
// softphone, a home phone or a persistent line. What is shown comes from the live
// snapshot's `current` (held, consult), or from the last REST answer until the next
// snapshot says otherwise.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n, type Translate } from '../i18n/index.js';
import type { ConnectedCallView, ConsultView, TransferTarget, TransferTargets } from '../wire.js';
import type { LiveContact } from '../live.js';
import { errorText } from '../format.js';
import { logFailure } from '../log.js';
import { RecordingControl, type RecordingState } from './desk/recording.js';

export function callUrl(login: string, action = ''): string {
  return `/api/agents/${encodeURIComponent(login)}/call${action === '' ? '' : `/${action}`}`;
}

/** "agent bob", "queue sales", "number +1555…" in the user's language. */
export function targetLabel(t: Translate, target: TransferTarget): string {
  if (target.type === 'agent') return t('targetAgentNamed', { name: target.agent });
  if (target.type === 'queue') return t('targetQueueNamed', { name: target.queue });
  return t('targetNumberNamed', { name: target.number });
}

type TargetKind = TransferTarget['type'];

const targetsRefreshMs = 2000;

/** Who the agent can transfer to. An agent's live snapshot holds only themselves, so the server lists the others. */
function useTransferTargets(login: string): TransferTargets {
  const [targets, setTargets] = useState<TransferTargets>({ agents: [], queues: [], numbers: false });
  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      api.get<TransferTargets>(callUrl(login, 'targets')).then((found) => { if (!cancelled) setTargets(found); }, logFailure('reading the transfer targets'));
    };
    load();
    const timer = setInterval(load, targetsRefreshMs);
    return () => { cancelled = true; clearInterval(timer); };
  }, [login]);
  return targets;
}

export function CallControls(props: { login: string; contact: LiveContact; recording?: RecordingState | undefined; recordingSeconds?: number | undefined }) {
  const { t } = useI18n();
  const { login, contact } = props;
  const targets = useTransferTargets(login);
  // The last REST answer, shown until the next snapshot changes the call's state.
  const [answer, setAnswer] = useState<{ held: boolean; consult: ConsultView | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [kind, setKind] = useState<TargetKind>('agent');
  const [agent, setAgent] = useState('');
  const [queue, setQueue] = useState('');
  const [number, setNumber] = useState('');

  const consultKey = contact.consult === null ? '' : `${JSON.stringify(contact.consult.target)}:${contact.consult.state}`;
  useEffect(() => setAnswer(null), [contact.callId, contact.held, consultKey]);

  const held = answer?.held ?? contact.held;
  const consult = answer ? answer.consult : contact.consult;
  const chosenAgent = agent !== '' ? agent : (targets.agents.find((a) => a.state === 'ready')?.login ?? '');
  const chosenQueue = queue !== '' ? queue : (targets.queues[0] ?? '');

  const target = (): TransferTarget | null => {
    if (kind === 'agent') return chosenAgent.trim() === '' ? null : { type: 'agent', agent: chosenAgent.trim() };
    if (kind === 'queue') return chosenQueue === '' ? null : { type: 'queue', queue: chosenQueue };
    return number.trim() === '' ? null : { type: 'number', number: number.trim() };
  };

  /** Runs one control; a ConnectedCallView answer updates the display at once. */
  const run = (action: string, body: unknown, done: string | null): void => {
    setError(null);
    setNote(null);
    setBusy(true);
    api.post<ConnectedCallView | { transferred: boolean } | undefined>(callUrl(login, action), body)
      .then((result) => {
        if (result && 'held' in result) setAnswer({ held: result.held, consult: result.consult });
        if (done !== null) setNote(done);
      }, (err: unknown) => setError(t('error', { message: errorText(err) })))
      .finally(() => setBusy(false));
  };
  const withTarget = (action: 'transfer' | 'consult'): void => {
    const chosen = target();
    if (chosen === null) { setError(t('targetMissing')); return; }
    run(action, { target: chosen }, action === 'transfer' ? t('callTransferred') : null);
  };

  if (consult !== null) {
    return (
      <div class="call-controls consulting" id="call-controls" data-held={String(held)} data-consult={consult.state}>
        <p class="call-status">
          <span class="badge hold" id="call-held">{t('customerOnHold')}</span>{' '}
          <span id="consult-status">{t(consult.state === 'dialing' ? 'consultDialing' : 'consultTalking', { target: targetLabel(t, consult.target) })}</span>
        </p>
        <div class="row">
          <button id="consult-complete" class="primary" disabled={busy || consult.state !== 'talking'} onClick={() => run('consult/complete', {}, t('callTransferred'))}>{t('completeTransfer')}</button>
          <button id="consult-cancel" disabled={busy} onClick={() => run('consult/cancel', {}, null)}>{t('cancelConsult')}</button>
        </div>
        <RecordingControl callId={contact.callId} state={props.recording} seconds={props.recordingSeconds} />
        {error && <p class="error" id="call-control-error">{error}</p>}
        {note && <p class="muted" id="call-control-note">{note}</p>}
      </div>
    );
  }

  return (
    <div class="call-controls" id="call-controls" data-held={String(held)} data-consult="none">
      {held && <p class="call-status"><span class="badge hold" id="call-held">{t('customerOnHold')}</span></p>}
      <div class="row">
        {held
          ? <button id="call-resume" class="primary" disabled={busy} onClick={() => run('unhold', {}, null)}>{t('resumeCall')}</button>
          : <button id="call-hold" disabled={busy} onClick={() => run('hold', {}, null)}>{t('holdCall')}</button>}
        <button id="call-hangup" class="danger" disabled={busy} onClick={() => run('hangup', {}, null)}>{t('callHangUp')}</button>
      </div>
      <RecordingControl callId={contact.callId} state={props.recording} seconds={props.recordingSeconds} />
      <fieldset class="transfer">
        <legend>{t('callTransferTo')}</legend>
        <div class="row">
          <select id="transfer-kind" aria-label={t('transferTargetKind')} value={kind} onChange={(e) => setKind(e.currentTarget.value as TargetKind)}>
            <option value="agent">{t('targetAgent')}</option>
            <option value="queue">{t('targetQueue')}</option>
            {targets.numbers && <option value="number">{t('targetNumber')}</option>}
          </select>
          {kind === 'agent' && (
            <select id="transfer-agent" aria-label={t('targetAgent')} value={chosenAgent} onChange={(e) => setAgent(e.currentTarget.value)}>
              {targets.agents.length === 0 && <option value="">{t('noOtherAgents')}</option>}
              {targets.agents.map((a) => (
                <option value={a.login} disabled={a.state !== 'ready'}>{a.name} ({t(`state.${a.state}`)})</option>
              ))}
            </select>
          )}
          {kind === 'queue' && (
            <select id="transfer-queue" aria-label={t('targetQueue')} value={chosenQueue} onChange={(e) => setQueue(e.currentTarget.value)}>
              {targets.queues.map((q) => <option value={q}>{q}</option>)}
            </select>
          )}
          {kind === 'number' && targets.numbers && (
            <input id="transfer-number" type="tel" aria-label={t('targetNumber')} placeholder="+15550100" value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          )}
          <button id="transfer-blind" disabled={busy} onClick={() => withTarget('transfer')}>{t('transferBlind')}</button>
          <button id="transfer-consult" disabled={busy} onClick={() => withTarget('consult')}>{t('consultFirst')}</button>
        </div>
      </fieldset>
      {error && <p class="error" id="call-control-error">{error}</p>}
      {note && <p class="muted" id="call-control-note">{note}</p>}
    </div>
  );
}
