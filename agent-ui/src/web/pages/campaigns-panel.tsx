// The supervisor's view of the outbound campaigns, from the live snapshot (active ones
// first, as the server sends them): mode, status, calls in flight, today's figures and
// the abandon rate against the campaign's cap (from the campaign's definition).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import type { LiveCampaign } from '../live.js';
import { percent } from '../format.js';
import { logFailure } from '../log.js';

const statusKeys = { running: 'campaignRunning', paused: 'campaignPaused', stopped: 'campaignStopped' } as const;
/** Within this many points of the cap the rate is shown as a warning. */
const nearCapPoints = 0.5;

/** Each campaign's abandon cap in percent, read from GET /api/campaigns when the set of campaigns changes. */
function useAbandonCaps(names: string[]): Record<string, number> {
  const [caps, setCaps] = useState<Record<string, number>>({});
  const key = [...names].sort().join(',');
  useEffect(() => {
    if (key === '') return;
    api.get<Array<{ name: string; abandonCap?: number }>>('/api/campaigns')
      .then((list) => setCaps(Object.fromEntries(list.flatMap((c) => (c.abandonCap === undefined ? [] : [[c.name, c.abandonCap * 100] as const])))), logFailure('reading the campaigns\' abandon caps'));
  }, [key]);
  return caps;
}

export function CampaignsPanel(props: { campaigns: LiveCampaign[] | null }) {
  const { t } = useI18n();
  const caps = useAbandonCaps(props.campaigns?.map((c) => c.name) ?? []);
  // No campaigns service on this server: nothing to show.
  if (props.campaigns === null) return null;
  return (
    <section class="card campaigns" id="campaigns">
      <h2>{t('campaignsTitle')}</h2>
      {props.campaigns.length === 0 ? <p class="muted">{t('campaignsNone')}</p> : (
        <table>
          <thead>
            <tr>
              <th>{t('campaignName')}</th><th>{t('campaignMode')}</th><th>{t('status')}</th><th>{t('agents')}</th><th>{t('campaignInFlight')}</th>
              <th>{t('campaignAttemptsToday')}</th><th>{t('campaignConnectedToday')}</th><th>{t('campaignAbandonedToday')}</th><th>{t('campaignAbandonRate')}</th><th>{t('campaignRemaining')}</th>
            </tr>
          </thead>
          <tbody>
            {props.campaigns.map((c) => {
              const cap = caps[c.name];
              const rate = c.abandonRatePercent;
              const level = rate === null || cap === undefined ? 'ok' : rate > cap ? 'over' : rate >= cap - nearCapPoints ? 'near' : 'ok';
              return (
                <tr data-campaign={c.name} data-status={c.status}>
                  <td>{c.name}{c.queue && <span class="muted"> · {c.queue}</span>}</td>
                  <td>{t(c.mode === 'preview' ? 'modePreview' : c.mode === 'progressive' ? 'modeProgressive' : 'modePredictive')}</td>
                  <td><span class={`campaign-status c-${c.status}`}>{c.status in statusKeys ? t(statusKeys[c.status as keyof typeof statusKeys]) : c.status}</span></td>
                  <td>{c.agentsReady}/{c.agentsAssigned}</td>
                  <td class="in-flight">{c.inFlight}</td>
                  <td class="attempts">{c.attemptsToday}</td>
                  <td class="connected">{c.connectedToday}</td>
                  <td class="abandoned">{c.abandonedToday}</td>
                  <td class={`abandon-rate rate-${level}`}>{percent(rate)}{cap !== undefined && <span class="muted"> / {percent(cap)}</span>}</td>
                  <td class="remaining">{c.remaining}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
