// The supervisor monitor: agents and queues from the live snapshot (times tick locally),
// with today's service level, ASA and abandoned calls per queue from the inbound report;
// per agent: force break / logout and, on a call, listen / whisper / barge; the campaigns;
// the outbound calls the dialing policy refused.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { targetLabel } from './call-controls.js';
import { useI18n } from '../i18n/index.js';
import type { LiveState } from '../main.js';
import { breakReasonLabel, duration, errorText, percent, secondsSince, useNow } from '../format.js';
import { CampaignsPanel } from './campaigns-panel.js';
import { MonitorControls, useCallViews, useMonitors } from './monitor-controls.js';
import { RefusedCallsPanel } from './refused-calls-panel.js';
import type { InboundReport } from '../wire.js';
import { logFailure } from '../log.js';
import { useActiveAlerts } from './alerts.js';
import { AlertsBanner } from './alerts-banner.js';

type InboundTotals = InboundReport['total'];
const todayRefreshMs = 30_000;

/** Today's inbound figures per queue: reloaded every 30 s, when the queues change and when `generation` does. */
function useTodayByQueue(queues: string[], generation: number): Record<string, InboundTotals> {
  const [figures, setFigures] = useState<Record<string, InboundTotals>>({});
  const key = `${queues.join(',')}#${generation}`;
  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      Promise.all(queues.map(async (q) => [q, (await api.get<{ total: InboundTotals }>(`/api/reports/inbound?period=today&interval=day&queue=${encodeURIComponent(q)}`)).total] as const))
        .then((pairs) => { if (!cancelled) setFigures(Object.fromEntries(pairs)); }, logFailure('reading today\'s queue figures'));
    };
    load();
    const timer = setInterval(load, todayRefreshMs);
    return () => { cancelled = true; clearInterval(timer); };
  }, [key]);
  return figures;
}

/** Names of the customers on the calls in progress (fetched once per customer). */
function useCustomerNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    for (const id of key === '' ? [] : key.split(',')) {
      if (names[id] !== undefined) continue;
      api.get<{ name?: string }>(`/api/customers/${encodeURIComponent(id)}`)
        .then((c) => setNames((prev) => ({ ...prev, [id]: c.name ?? id })), logFailure(`reading customer ${id}`));
    }
  }, [key]);
  return names;
}

export function MonitorPage(props: { live: LiveState }) {
  const { t } = useI18n();
  const now = useNow();
  const snapshot = props.live.snapshot;
  const [error, setError] = useState<string | null>(null);
  // Today's figures reload when a call is answered or a queue appears (and every 30 s).
  const answered = snapshot?.agents.reduce((sum, a) => sum + a.callsAnswered, 0) ?? 0;
  const today = useTodayByQueue(snapshot?.queues.map((q) => q.queue) ?? [], answered);
  const names = useCustomerNames((snapshot?.calls ?? []).flatMap((c) => (c.customerId === null ? [] : [c.customerId])));
  const [device, setDevice] = useState('');
  const onCall = (snapshot?.agents ?? []).filter((a) => a.state === 'on-call' && a.callId !== null);
  const callViews = useCallViews(onCall.map((a) => ({ login: a.login, callId: a.callId ?? '' })), snapshot?.at ?? '');
  const monitors = useMonitors(snapshot?.at ?? '');
  const alerts = useActiveAlerts(props.live);
  if (snapshot === null) return <p class="muted">{t('loading')}</p>;
  const callOf = (callId: string | null) => snapshot.calls.find((c) => c.callId === callId) ?? null;
  const force = (login: string, state: 'break' | 'logged-out'): void => {
    setError(null);
    // No reason: the server records a forced break with its own reason, 'supervisor'.
    api.post(`/api/agents/${encodeURIComponent(login)}/state`, { state })
      .catch((err: unknown) => setError(t('error', { message: errorText(err) })));
  };

  return (
    <div class="monitor">
      {error && <p class="error">{error}</p>}
      <AlertsBanner alerts={alerts} />
      <section class="card">
        <h2>{t('queues')}</h2>
        {snapshot.queues.length === 0 ? <p class="muted">{t('noQueues')}</p> : (
          <table id="queues">
            <thead><tr><th>{t('queue')}</th><th>{t('waiting')}</th><th>{t('longestWait')}</th><th>{t('agents')}</th><th>{t('serviceLevel')}</th><th>{t('asa')}</th><th>{t('abandonedToday')}</th></tr></thead>
            <tbody>
              {snapshot.queues.map((q) => {
                const longest = q.calls.length > 0 ? Math.max(...q.calls.map((c) => secondsSince(c.enteredAt, now, props.live.skewMs))) : q.longestWaitSeconds;
                const f = today[q.queue];
                return (
                  <tr data-queue={q.queue}>
                    <td>{q.queue}</td>
                    <td class="waiting">{q.waiting}</td>
                    <td>{q.waiting > 0 ? duration(longest) : '—'}</td>
                    <td>{q.agentsReady}/{q.agentsBusy}/{q.agentsOnBreak} <span class="muted">({q.agentsLoggedIn})</span></td>
                    <td>{percent(f?.serviceLevelPercent)}</td>
                    <td>{duration(f?.avgSpeedOfAnswerSeconds)}</td>
                    <td class="abandoned">{f?.abandoned ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {snapshot.queues.some((q) => q.calls.length > 0) && (
          <>
            <h3>{t('waitingCalls')}</h3>
            <table id="waiting-calls">
              <thead><tr><th>{t('queue')}</th><th>{t('customer')}</th><th>{t('number')}</th><th>{t('waitTime')}</th></tr></thead>
              <tbody>
                {snapshot.queues.flatMap((q) => q.calls.map((c) => (
                  <tr data-call={c.callId}>
                    <td>{q.queue}</td>
                    <td>{c.customerName ?? t('unknownCaller')}{c.segment ? <span class="badge">{c.segment}</span> : null}</td>
                    <td>{c.callerNumber}</td>
                    <td>{duration(secondsSince(c.enteredAt, now, props.live.skewMs))}</td>
                  </tr>
                )))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section class="card">
        <h2>{t('agents')}</h2>
        <label class="monitor-device">
          {t('monitorDevice')}{' '}
          <input id="monitor-device" type="tel" placeholder={t('monitorDevicePlaceholder')} value={device} onInput={(e) => setDevice(e.currentTarget.value)} />
        </label>
        {snapshot.agents.length === 0 ? <p class="muted">{t('noAgents')}</p> : (
          <table id="agents">
            <thead><tr><th>{t('agent')}</th><th>{t('stateLabel')}</th><th>{t('timeInState')}</th><th>{t('currentCall')}</th><th>{t('callsToday')}</th><th>{t('actions')}</th></tr></thead>
            <tbody>
              {snapshot.agents.map((a) => {
                const call = callOf(a.callId);
                const loggedIn = a.state !== 'logged-out';
                const view = a.state === 'on-call' ? callViews[a.login] ?? null : null;
                return (
                  <tr data-agent={a.login} data-state={a.state}>
                    <td>{a.name} <span class="muted">({a.login})</span></td>
                    <td><span class={`state s-${a.state}`}>{t(`state.${a.state}`)}</span>{a.state === 'break' && a.reason ? ` · ${breakReasonLabel(t, a.reason)}` : ''}</td>
                    <td>{loggedIn ? duration(secondsSince(a.since, now, props.live.skewMs)) : '—'}</td>
                    <td class="current-call">
                      {call ? <>{call.customerId !== null && names[call.customerId] ? <strong>{names[call.customerId]} </strong> : null}{call.from}{call.queue ? ` → ${call.queue}` : ''}</> : '—'}
                      {view?.held && <span class="badge hold call-held">{t('callOnHold')}</span>}
                      {call?.recording && (
                        <span class={`badge call-recording${call.recording.state === 'paused' ? ' hold' : ''}`} data-recording={call.recording.state}>
                          {t(call.recording.state === 'paused' ? 'recordingPaused' : 'recordingOn')}
                        </span>
                      )}
                      {view?.consult && <span class="badge consult">{t('callConsulting', { target: targetLabel(t, view.consult.target) })}</span>}
                    </td>
                    <td>{a.callsAnswered}</td>
                    <td>
                      <button class="force-break" disabled={!loggedIn || a.state === 'break'} onClick={() => force(a.login, 'break')}>{t('forceBreak')}</button>{' '}
                      <button class="force-logout" disabled={!loggedIn} onClick={() => force(a.login, 'logged-out')}>{t('forceLogout')}</button>
                      {a.state === 'on-call' && (
                        <MonitorControls login={a.login} monitors={monitors.monitors.filter((m) => m.agent === a.login)} me={snapshot.username}
                          device={device} onChanged={monitors.refresh} onError={setError} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <CampaignsPanel campaigns={snapshot.campaigns} />
      <RefusedCallsPanel dialing={snapshot.dialing ?? null} />
    </div>
  );
}
