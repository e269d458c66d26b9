// The wallboard: a full-screen view for a TV on the floor (supervisors and
// admins). One tile per queue with large figures, each coloured amber or red
// past the queue's thresholds with a word and a shape for the level (not
// colour alone), a chart of waiting callers over the last hour, and the
// active alerts on top. Live figures from the live snapshot; thresholds,
// today's figures and the hour's history from GET /api/wallboard.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import type { LiveState } from '../main.js';
import { duration, secondsSince, useNow } from '../format.js';
import { logFailure } from '../log.js';
import type { LiveQueue, QueueThresholds, WallboardQueue, WallboardView } from '../wire.js';
import { useActiveAlerts } from './alerts.js';
import { AlertsBanner } from './alerts-banner.js';

const refreshMs = 30_000;
type Level = 'normal' | 'amber' | 'red';

/** The level of a figure against its band: red past red, amber past amber; for service level and agents ready, lower is worse. */
export function levelOf(figure: keyof QueueThresholds, value: number | null | undefined, thresholds: QueueThresholds): Level {
  const band = thresholds[figure];
  if (!band || value === null || value === undefined) return 'normal';
  const lowerIsWorse = figure === 'serviceLevel' || figure === 'agentsReady';
  const past = (limit: number): boolean => (lowerIsWorse ? value <= limit : value >= limit);
  return past(band.red) ? 'red' : past(band.amber) ? 'amber' : 'normal';
}

function useWallboard(generation: number): WallboardView | null {
  const [view, setView] = useState<WallboardView | null>(null);
  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      api.get<WallboardView>('/api/wallboard').then((v) => { if (!cancelled) setView(v); }, logFailure('reading the wallboard'));
    };
    load();
    const timer = setInterval(load, refreshMs);
    return () => { cancelled = true; clearInterval(timer); };
  }, [generation]);
  return view;
}

function Figure(props: { name: string; label: string; value: string; level: Level }) {
  const { t } = useI18n();
  return (
    <div class={`figure level-${props.level}`} data-figure={props.name} data-level={props.level}>
      <div class="figure-label">{props.label}</div>
      <div class="figure-value">{props.value}</div>
      {props.level !== 'normal' && <div class="figure-cue">{props.level === 'red' ? `▲ ${t('levelRed')}` : `● ${t('levelAmber')}`}</div>}
    </div>
  );
}

/** Waiting callers over the last hour as a small line chart; the live count is its last point. */
function WaitingChart(props: { history: { at: string; waiting: number }[]; now: number; skewMs: number; current: number }) {
  const { t } = useI18n();
  const hourMs = 3_600_000;
  const end = props.now - props.skewMs;
  const points = [...props.history.map((s) => ({ x: Date.parse(s.at), y: s.waiting })), { x: end, y: props.current }].filter((p) => p.x >= end - hourMs);
  const top = Math.max(4, ...points.map((p) => p.y));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${(((p.x - (end - hourMs)) / hourMs) * 100).toFixed(2)},${(40 - (p.y / top) * 38).toFixed(2)}`).join(' ');
  return (
    <figure class="waiting-chart">
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={t('waitingLastHour')}>
        <line x1="0" y1="40" x2="100" y2="40" class="axis" />
        <path d={path} class="line" />
      </svg>
      <figcaption>{t('waitingLastHour')} <span class="muted">(max {top})</span></figcaption>
    </figure>
  );
}

function QueueTile(props: { live: LiveQueue; board: WallboardQueue | undefined; now: number; skewMs: number }) {
  const { t } = useI18n();
  const q = props.live;
  const thresholds = props.board?.thresholds ?? {};
  const longest = q.calls.length > 0 ? Math.max(...q.calls.map((c) => secondsSince(c.enteredAt, props.now, props.skewMs))) : q.waiting > 0 ? q.longestWaitSeconds : 0;
  const today = props.board?.today ?? null;
  const sl = today?.serviceLevelPercent ?? null;
  const levels: Level[] = [
    levelOf('waiting', q.waiting, thresholds), levelOf('longestWait', longest, thresholds),
    levelOf('serviceLevel', sl, thresholds), levelOf('agentsReady', q.agentsReady, thresholds),
  ];
  const worst: Level = levels.includes('red') ? 'red' : levels.includes('amber') ? 'amber' : 'normal';
  return (
    <section class={`tile level-${worst}`} data-queue={q.queue} data-level={worst}>
      <h2>{q.queue}</h2>
      <div class="figures">
        <Figure name="waiting" label={t('waiting')} value={String(q.waiting)} level={levels[0] ?? 'normal'} />
        <Figure name="longestWait" label={t('longestWait')} value={q.waiting > 0 ? duration(longest) : '—'} level={levels[1] ?? 'normal'} />
        <Figure name="serviceLevel" label={t('serviceLevel')} value={sl === null ? '—' : `${Math.round(sl)}%`} level={levels[2] ?? 'normal'} />
        <Figure name="abandoned" label={t('abandonedToday')} value={today === null ? '—' : String(today.abandoned)} level="normal" />
      </div>
      <p class="agents-by-state" data-figure="agents" data-level={levels[3]}>
        <span class={`agents-ready level-${levels[3] ?? 'normal'}`}>{t('wbReady', { n: q.agentsReady })}{levels[3] === 'red' ? ' ▲' : levels[3] === 'amber' ? ' ●' : ''}</span>
        <span>{t('wbBusy', { n: q.agentsBusy })}</span>
        <span>{t('wbOnBreak', { n: q.agentsOnBreak })}</span>
      </p>
      <WaitingChart history={props.board?.history ?? []} now={props.now} skewMs={props.skewMs} current={q.waiting} />
    </section>
  );
}

export function WallboardPage(props: { live: LiveState }) {
  const { t } = useI18n();
  const now = useNow();
  const snapshot = props.live.snapshot;
  const answered = snapshot?.agents.reduce((sum, a) => sum + a.callsAnswered, 0) ?? 0;
  const abandonedOrQueued = snapshot?.queues.reduce((sum, q) => sum + q.waiting, 0) ?? 0;
  // Today's figures reload when calls are answered or leave the queues, and every 30 s.
  const board = useWallboard(answered * 10_000 + abandonedOrQueued);
  const alerts = useActiveAlerts(props.live);
  if (snapshot === null) return <p class="muted">{t('loading')}</p>;
  const n = Math.max(1, snapshot.queues.length);
  const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 6 ? 3 : 4;
  const rows = Math.ceil(n / cols);
  return (
    <div id="wallboard" class="wallboard" style={{ '--cols': String(cols), '--rows': String(rows) }}>
      <AlertsBanner alerts={alerts} large />
      {snapshot.queues.length === 0 ? <p class="muted">{t('noQueues')}</p> : (
        <div class="tiles">
          {snapshot.queues.map((q) => <QueueTile live={q} board={board?.queues.find((b) => b.queue === q.queue)} now={now} skewMs={props.live.skewMs} />)}
        </div>
      )}
    </div>
  );
}
