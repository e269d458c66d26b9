// The agent's day: calls handled, average talk and wrap-up, time in each state
// and the recent calls with their disposition (GET /api/agents/:login/day, the
// reports' own figures). Read again whenever the agent's state changes on the
// live events (a call offered, answered, ended, wrap-up over, a break), so it
// follows the day without polling.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import type { AgentDayFigures, RecentCall } from '../../wire.js';
import { useI18n } from '../../i18n/index.js';
import { breakReasonLabel, dateTime, duration, errorText } from '../../format.js';
import { requestDial } from './dial.js';
import { recordingHref } from '../recordings/route.js';

interface Day { agent: string; figures: AgentDayFigures; recentCalls: RecentCall[] }

/** `changedAt` is anything that changes with the agent's state (its `since`): the day is read again then. */
export function AgentDay(props: { login: string; changedAt: string | null }) {
  const { t, lang } = useI18n();
  const [day, setDay] = useState<Day | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.get<Day>(`/api/agents/${encodeURIComponent(props.login)}/day?recent=10`).then(
      (d) => { setDay(d); setError(null); },
      (err: unknown) => setError(t('error', { message: errorText(err) })),
    );
  }, [props.login, props.changedAt]);

  const f = day?.figures;
  return (
    <section class="card agent-day" id="agent-day" aria-labelledby="agent-day-title">
      <h2 id="agent-day-title">{t('myDay')}</h2>
      {error && <p class="error">{error}</p>}
      {f && (
        <>
          <dl class="figures">
            <div><dt>{t('callsHandled')}</dt><dd id="day-calls">{f.callsHandled}</dd></div>
            <div><dt>{t('avgTalk')}</dt><dd id="day-avg-talk">{duration(f.avgTalkSeconds)}</dd></div>
            <div><dt>{t('avgWrapUp')}</dt><dd id="day-avg-wrap-up">{duration(f.avgWrapUpSeconds)}</dd></div>
            <div><dt>{t('state.ready')}</dt><dd id="day-ready">{duration(f.states.readySeconds)}</dd></div>
            <div><dt>{t('state.on-call')}</dt><dd id="day-on-call">{duration(f.states.onCallSeconds)}</dd></div>
            <div><dt>{t('state.wrap-up')}</dt><dd id="day-wrap-up">{duration(f.states.wrapUpSeconds)}</dd></div>
            <div><dt>{t('state.break')}</dt><dd id="day-break">{duration(f.states.breakSeconds)}</dd></div>
          </dl>
          {Object.keys(f.states.breakByReason).length > 0 && (
            <p class="muted">{Object.entries(f.states.breakByReason).map(([reason, s]) => `${breakReasonLabel(t, reason)} ${duration(s)}`).join(' · ')}</p>
          )}
          <h3>{t('recentCalls')}</h3>
          {day.recentCalls.length === 0 ? <p class="muted">{t('noCallsToday')}</p> : (
            <table class="recent-calls" id="day-recent-calls">
              <thead><tr><th>{t('time')}</th><th>{t('number')}</th><th>{t('talk')}</th><th>{t('outcome')}</th><th>{t('disposition')}</th><th><span class="visually-hidden">{t('call')}</span></th></tr></thead>
              <tbody>
                {day.recentCalls.map((c) => (
                  <tr key={c.id} data-call={c.id}>
                    <td>{dateTime(c.answeredAt, lang)}</td>
                    <td>{c.number}</td>
                    <td>{duration(c.talkSeconds)}</td>
                    <td>{c.outcome ?? '—'}</td>
                    <td class="disposition">{c.disposition ?? '—'}</td>
                    <td>
                      {c.recordingId !== null && (
                        <a class="small recording-link" data-testid={`recording-recent-${c.id}`} href={recordingHref(c.recordingId)}>{t('recordingLink')}</a>
                      )}{' '}
                      {c.number.startsWith('+') && (
                        <button class="small" data-testid={`call-recent-${c.id}`} aria-label={`${t('call')} ${c.number}`}
                          onClick={() => requestDial({ number: c.number, ...(c.customerId !== null ? { customerId: c.customerId } : {}) })}>{t('call')}</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
