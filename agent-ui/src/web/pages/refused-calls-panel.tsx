// The supervisor's view of outbound calls the dialing policy refused, from the live
// snapshot (newest first, as the server keeps them): when, the number and its class,
// why in words (what the call was for and the rule that refused it), and the agent
// or call it came from. docs/dialing-policy.md lists the reasons.
import { useI18n, type MessageKey } from '../i18n/index.js';
import type { LiveDialing } from '../live.js';

export function RefusedCallsPanel(props: { dialing: LiveDialing | null }) {
  const { t, lang } = useI18n();
  // No dialing service on this server: nothing to show.
  if (props.dialing === null) return null;
  const { refusedToday, recent } = props.dialing;
  // A purpose or reason this UI has no words for yet (a newer server) shows as the server names it.
  const words = (prefix: 'dialPurpose' | 'dialRefusal', value: string): string => t(`${prefix}.${value}` as MessageKey) || value;
  return (
    <section class="card refused-calls" id="refused-calls">
      <h2>{t('refusedTitle')} <span class="muted refused-today">{t('refusedToday', { count: refusedToday })}</span></h2>
      {recent.length === 0 ? <p class="muted">{t('refusedNone')}</p> : (
        <table>
          <thead><tr><th>{t('refusedTime')}</th><th>{t('number')}</th><th>{t('refusedClass')}</th><th>{t('refusedWhy')}</th><th>{t('refusedAgentCall')}</th></tr></thead>
          <tbody>
            {recent.map((r) => (
              <tr data-number={r.number} data-reason={r.reason} data-purpose={r.purpose} title={r.detail}>
                <td>{new Date(r.at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</td>
                <td class="number">{r.number}</td>
                <td class="class">{r.class}</td>
                <td class="why">{words('dialPurpose', r.purpose)}: {words('dialRefusal', r.reason)}</td>
                <td class="who">{r.agent ?? '—'}{r.callId !== null && <span class="muted"> · {r.callId}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
