// The agent desktop: state controls, the browser phone (when the agent's device is `webrtc`), the offer, the screen pop (customer card, history,
// open cases), the dialogue script, notes and disposition, wrap-up countdown, voicemail.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { Me } from '../wire.js';
import { useI18n } from '../i18n/index.js';
import type { LiveContact, LiveSnapshot } from '../live.js';
import type { LiveState } from '../main.js';
import { breakReasonLabel, duration, errorText, secondsSince, useNow } from '../format.js';
import { ScreenPop } from './screen-pop.js';
import { VoicemailList } from './voicemail.js';
import { CallControls } from './call-controls.js';
import { logFailure } from '../log.js';
import { PhonePanel, usePhoneSettings } from '../phone/phone-panel.js';
import { DialPad } from './desk/dial-pad.js';
import { MyCallbacks } from './desk/my-callbacks.js';
import { CustomerSearch } from './desk/customer-search.js';
import { AgentDay } from './desk/agent-day.js';
// quality (Q)
import { MyEvaluations } from './quality/my-evaluations.js';

/** The break reasons the site allows (GET /api/break-reasons); known ones are translated. */
function useBreakReasons(): string[] {
  const [reasons, setReasons] = useState<string[]>([]);
  useEffect(() => {
    api.get<{ reasons: string[] }>('/api/break-reasons').then((r) => setReasons(r.reasons), logFailure('reading the break reasons'));
  }, []);
  return reasons;
}

export function AgentDesktop(props: { me: Me; live: LiveState }) {
  const { t } = useI18n();
  const login = props.me.agent;
  const snapshot = props.live.snapshot;
  const self = snapshot?.agents.find((a) => a.login === login) ?? null;
  const now = useNow();
  const breakReasons = useBreakReasons();
  const [chosenReason, setReason] = useState<string>('');
  const reason = chosenReason !== '' ? chosenReason : (breakReasons[0] ?? '');
  const reasonLabel = (r: string): string => breakReasonLabel(t, r);
  const [error, setError] = useState<string | null>(null);
  const phone = usePhoneSettings();

  if (login === null) return <p class="muted">{t('notWorking')}</p>;

  const setState = (state: 'ready' | 'break' | 'logged-out', why?: string): void => {
    setError(null);
    api.post(`/api/agents/${encodeURIComponent(login)}/state`, why === undefined ? { state } : { state, reason: why })
      .then(() => undefined, (err: unknown) => setError(t('error', { message: errorText(err) })));
  };

  const state = self?.state ?? 'logged-out';
  // The server refuses an agent's own state change while a call is in hand (TENOR_ERR_AGENT_BUSY).
  const busy = state === 'offered' || state === 'on-call';
  const current = snapshot?.current ?? null;
  return (
    <div class="desktop">
      <section class="card state-bar">
        <h2>{t('myState')}</h2>
        <p>
          {t('stateLabel')}: <strong id="agent-state" data-state={state}>{t(`state.${state}`)}</strong>
          {self && state === 'break' && self.reason ? ` (${reasonLabel(self.reason)})` : ''}
          {self && state !== 'logged-out' && <span class="muted"> · {duration(secondsSince(self.since, now, props.live.skewMs))}</span>}
        </p>
        <div class="row">
          <button id="go-ready" disabled={state === 'ready' || busy} onClick={() => setState('ready')}>{t('goReady')}</button>
          <select id="break-reason" aria-label={t('breakReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
            {breakReasons.map((r) => <option value={r}>{reasonLabel(r)}</option>)}
          </select>
          <button id="take-break" disabled={reason === '' || busy} onClick={() => setState('break', reason)}>{t('takeBreak')}</button>
          <button id="agent-logout" disabled={state === 'logged-out' || busy} onClick={() => setState('logged-out')}>{t('logOutAgent')}</button>
        </div>
        {error && <p class="error">{error}</p>}
      </section>
      {phone !== null && <PhonePanel settings={phone} acdCallActive={snapshot?.current?.state === 'on-call'} />}
      <DialPad login={login} state={state} />
      <ContactPanel current={current} state={state} now={now} skewMs={props.live.skewMs} me={props.me} snapshot={snapshot} recordings={props.live.recordings} />
      <MyCallbacks login={login} />
      <VoicemailList queues={snapshot?.queues.map((q) => q.queue) ?? []} />
      <CustomerSearch />
      <AgentDay login={login} changedAt={self?.since ?? null} />
      <MyEvaluations login={login} />
    </div>
  );
}

function ContactPanel(props: { current: LiveContact | null; state: string; now: number; skewMs: number; me: Me; snapshot: LiveSnapshot | null; recordings: LiveState['recordings'] }) {
  const { t } = useI18n();
  const c = props.current;
  if (c === null) {
    return <section class="card contact idle"><p id="contact-idle" class="muted">{props.state === 'ready' ? t('waitingForCalls') : t('notWorking')}</p></section>;
  }
  const caller = c.customer.name ?? t('unknownCaller');
  return (
    <section class={`card contact ${c.state}`} id="contact" data-state={c.state} data-call={c.callId} data-held={String(c.held)}>
      <h2>{c.state === 'offered' ? t('offerRinging') : c.state === 'on-call' ? t('onCall') : t('wrapUp')}</h2>
      <p class="caller">
        <strong id="caller-name">{caller}</strong>
        {c.customer.segment && <span class="badge" id="caller-segment">{c.customer.segment}</span>}
        {c.callerNumber && <span class="muted"> · {t('number')}: <span id="caller-number">{c.callerNumber}</span></span>}
        {c.queue && <span class="muted"> · {t('queue')}: {c.queue}</span>}
      </p>
      {c.state === 'on-call' && props.me.agent !== null && (
        <CallControls key={c.callId} login={props.me.agent} contact={c} recording={props.recordings[c.callId]}
          recordingSeconds={c.recording && c.recording.state === props.recordings[c.callId] ? secondsSince(c.recording.since, props.now, props.skewMs) : undefined} />
      )}
      {c.state === 'wrap-up' && <WrapUp contact={c} now={props.now} skewMs={props.skewMs} agent={props.me.agent ?? ''} />}
      {c.state !== 'offered' && <ScreenPop key={c.callId} contact={c} />}
    </section>
  );
}

/** Counts down the queue's wrap-up time; the agent may end it early (goes ready). */
function WrapUp(props: { contact: LiveContact; now: number; skewMs: number; agent: string }) {
  const { t } = useI18n();
  const [wrapUpSeconds, setWrapUpSeconds] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const queue = props.contact.queue;
  useEffect(() => {
    if (queue === null) return;
    api.get<{ definition?: { wrapUpSeconds?: number } }>(`/api/queues/${encodeURIComponent(queue)}`)
      .then((q) => setWrapUpSeconds(q.definition?.wrapUpSeconds ?? null), () => setWrapUpSeconds(null));
  }, [queue]);
  const endWrapUp = (): void => {
    setError(null);
    api.post(`/api/agents/${encodeURIComponent(props.agent)}/state`, { state: 'ready' })
      .catch((err: unknown) => setError(t('error', { message: errorText(err) })));
  };
  const left = wrapUpSeconds === null ? null : Math.max(0, Math.ceil(wrapUpSeconds - secondsSince(props.contact.since, props.now, props.skewMs)));
  return (
    <p class="wrap-up">
      {left !== null && <span id="wrap-up-countdown">{t('wrapUpEndsIn', { seconds: left })}</span>}{' '}
      <button id="end-wrap-up" onClick={endWrapUp}>{t('endWrapUp')}</button>
      {error && <span class="error"> {error}</span>}
    </p>
  );
}
