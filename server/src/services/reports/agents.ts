// The agent availability report: per bucket and agent, the time spent in each
// state, from the agent state log. Each state lasts from its change to the
// agent's next change (or the end of the period, or now); an interval that
// crosses a bucket boundary is split at it. Pure. Definitions in docs/reports.md.

import type { AgentState } from '../acd/index.js';
import { spanIndex, type Span } from './buckets.js';
import { percent, seconds } from './figures.js';
import type { StateChangeFacts } from './source.js';

export interface AgentFigures {
  loggedInSeconds: number;
  readySeconds: number;
  breakSeconds: number;
  breakByReason: Record<string, number>;
  /** Ringing: an offer out to the agent. */
  offeredSeconds: number;
  onCallSeconds: number;
  wrapUpSeconds: number;
  /** (on call + wrap-up) / (logged in − break) × 100; null when the agent was never available. */
  occupancyPercent: number | null;
  callsHandled: number;
}

export const agentColumns: readonly Exclude<keyof AgentFigures, 'breakByReason'>[] = [
  'loggedInSeconds', 'readySeconds', 'breakSeconds', 'offeredSeconds', 'onCallSeconds', 'wrapUpSeconds', 'occupancyPercent', 'callsHandled',
];

/** Milliseconds per state, accumulated. */
class StateTimes {
  loggedIn = 0;
  ready = 0;
  break = 0;
  offered = 0;
  onCall = 0;
  wrapUp = 0;
  calls = 0;
  readonly breaks = new Map<string, number>();

  add(state: AgentState, reason: string, ms: number): void {
    if (ms <= 0 || state === 'logged-out') return;
    this.loggedIn += ms;
    if (state === 'ready') this.ready += ms;
    else if (state === 'break') {
      this.break += ms;
      this.breaks.set(reason, (this.breaks.get(reason) ?? 0) + ms);
    } else if (state === 'offered') this.offered += ms;
    else if (state === 'on-call') this.onCall += ms;
    else this.wrapUp += ms;
  }

  merge(other: StateTimes): void {
    this.loggedIn += other.loggedIn;
    this.ready += other.ready;
    this.break += other.break;
    this.offered += other.offered;
    this.onCall += other.onCall;
    this.wrapUp += other.wrapUp;
    this.calls += other.calls;
    for (const [reason, ms] of other.breaks) this.breaks.set(reason, (this.breaks.get(reason) ?? 0) + ms);
  }

  get empty(): boolean {
    return this.loggedIn === 0 && this.calls === 0;
  }

  figures(): AgentFigures {
    const breakByReason: Record<string, number> = {};
    for (const [reason, ms] of [...this.breaks].sort(([a], [b]) => a.localeCompare(b))) breakByReason[reason] = seconds(ms);
    return {
      loggedInSeconds: seconds(this.loggedIn), readySeconds: seconds(this.ready), breakSeconds: seconds(this.break), breakByReason,
      offeredSeconds: seconds(this.offered), onCallSeconds: seconds(this.onCall), wrapUpSeconds: seconds(this.wrapUp),
      occupancyPercent: percent(this.onCall + this.wrapUp, this.loggedIn - this.break),
      callsHandled: this.calls,
    };
  }
}

export interface AgentInput {
  /** Per agent in time order: its state as the period began (dated at its start), then its changes. */
  changes: readonly StateChangeFacts[];
  /** Calls answered in the period, by agent. */
  answered: readonly { agent: string; answeredAt: number }[];
  buckets: readonly Span[];
  span: Span;
  /** State intervals still open end here: the report never counts the future. */
  now: number;
  includeAgent: (login: string) => boolean;
}

export interface AgentReport {
  rows: { span: Span; agent: string; figures: AgentFigures }[];
  byAgent: { agent: string; figures: AgentFigures }[];
  total: AgentFigures;
}

export function agentReport(input: AgentInput): AgentReport {
  const { buckets } = input;
  const cells = new Map<string, StateTimes[]>();
  const cellsOf = (login: string): StateTimes[] => {
    let list = cells.get(login);
    if (!list) cells.set(login, (list = buckets.map(() => new StateTimes())));
    return list;
  };
  const end = Math.min(input.span.end, Math.max(input.now, input.span.start));

  const byLogin = new Map<string, StateChangeFacts[]>();
  for (const c of input.changes) {
    if (!input.includeAgent(c.login)) continue;
    let list = byLogin.get(c.login);
    if (!list) byLogin.set(c.login, (list = []));
    list.push(c);
  }
  for (const [login, changes] of byLogin) {
    const times = cellsOf(login);
    changes.forEach((c, i) => {
      const from = Math.max(c.at, input.span.start);
      const to = Math.min(changes[i + 1]?.at ?? end, end);
      if (to <= from || c.to === 'logged-out') return;
      // Split the interval at every bucket boundary it crosses.
      for (let b = spanIndex(buckets, from); b >= 0 && b < buckets.length; b++) {
        const bucket = buckets[b];
        if (!bucket || bucket.start >= to) break;
        times[b]?.add(c.to, c.reason, Math.min(to, bucket.end) - Math.max(from, bucket.start));
      }
    });
  }
  for (const a of input.answered) {
    if (!input.includeAgent(a.agent)) continue;
    const b = spanIndex(buckets, a.answeredAt);
    const cell = b >= 0 ? cellsOf(a.agent)[b] : undefined;
    if (cell) cell.calls++;
  }

  const rows: AgentReport['rows'] = [];
  const byAgent: AgentReport['byAgent'] = [];
  const total = new StateTimes();
  const logins = [...cells.keys()].sort((a, b) => a.localeCompare(b));
  buckets.forEach((span, b) => {
    for (const login of logins) {
      const cell = cells.get(login)?.[b];
      if (cell && !cell.empty) rows.push({ span, agent: login, figures: cell.figures() });
    }
  });
  for (const login of logins) {
    const sum = new StateTimes();
    for (const cell of cells.get(login) ?? []) sum.merge(cell);
    if (sum.empty) continue;
    byAgent.push({ agent: login, figures: sum.figures() });
    total.merge(sum);
  }
  return { rows, byAgent, total: total.figures() };
}
