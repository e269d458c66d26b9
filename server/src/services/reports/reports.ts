// The reports: each reads the stored history for the period (through the
// owning services' report readers), computes the figures per bucket and for
// the whole period, and returns one JSON shape:
// { report, period, interval, filters, rows: [{ start, end, ...figures }], total, notes }.

import type { QueueDefinition } from '../acd/index.js';
import type { Interval, Span } from './buckets.js';
import { agentReport, type AgentFigures } from './agents.js';
import { agentDayFigures, type AgentDay } from './agent-day.js';
import { callbacksReport, type CallbackFigures } from './callbacks.js';
import type { ReportsSettings } from './config-schema.js';
import { inboundReport, type InboundFigures } from './inbound.js';
import { DEFAULT_SERVICE_LEVEL_SECONDS, parseReportRequest, type ReportQuery, type ReportRequest } from './query.js';
import type { AcdHistory, CampaignHistory, VoicemailHistory } from './source.js';
import { isoInZone } from './time-zone.js';
import { voicemailReport, type VoicemailFigures } from './voicemail.js';

/** What the reports need of the ACD: queue definitions and agents' queue memberships. */
export interface AcdView {
  queue(name: string): QueueDefinition | undefined;
  agents(): readonly { login: string; profile: { queues: readonly { queue: string }[] } }[];
}

export type ReportKind = 'inbound' | 'agents' | 'voicemail' | 'callbacks';

interface Envelope<K extends ReportKind, Row, Total> {
  report: K;
  period: { from: string; to: string; timeZone: string; preset: string | null };
  interval: Interval;
  filters: { queue: string | null; agent: string | null; campaign: string | null; box: string | null };
  rows: Row[];
  total: Total;
  /** What the reader should know about these figures (data not recorded, a service not installed). */
  notes: string[];
}

type Bounds = { start: string; end: string };

export type InboundReport = Envelope<'inbound', Bounds & InboundFigures, InboundFigures> & {
  thresholds: { shortAbandonSeconds: number; serviceLevelSeconds: number; queues: Record<string, number> };
};
export type AgentsReport = Envelope<'agents', Bounds & { agent: string } & AgentFigures, AgentFigures> & { byAgent: ({ agent: string } & AgentFigures)[] };
export type VoicemailReport = Envelope<'voicemail', Bounds & { box: string } & VoicemailFigures, VoicemailFigures> & { byBox: ({ box: string } & VoicemailFigures)[] };
export type CallbacksReport = Envelope<'callbacks', Bounds & CallbackFigures, CallbackFigures>;
export type Report = InboundReport | AgentsReport | VoicemailReport | CallbacksReport;

export interface ReportsOptions {
  acd: AcdView;
  /** The ACD's stored history (its report reader). */
  acdHistory: AcdHistory;
  /**
   * Voicemail's stored messages, or undefined when the voicemail service is
   * not installed. Looked up when a report runs (the service may start after the reports).
   */
  voicemail: () => Promise<VoicemailHistory | undefined>;
  /** Campaigns' stored attempts, or undefined when the campaigns service is not installed. */
  campaigns: () => Promise<CampaignHistory | undefined>;
  settings?: ReportsSettings;
  /** Epoch ms now (tests pass a simulated clock). */
  now?: () => number;
}

export class Reports {
  readonly #acd: AcdView;
  readonly #history: AcdHistory;
  readonly #voicemail: () => Promise<VoicemailHistory | undefined>;
  readonly #campaigns: () => Promise<CampaignHistory | undefined>;
  readonly #settings: ReportsSettings;
  readonly #now: () => number;

  constructor(opts: ReportsOptions) {
    this.#acd = opts.acd;
    this.#history = opts.acdHistory;
    this.#voicemail = opts.voicemail;
    this.#campaigns = opts.campaigns;
    this.#settings = opts.settings ?? {};
    this.#now = opts.now ?? Date.now;
  }

  /** Parse and check a request without running it (the HTTP layer uses it to refuse early). */
  query(req: ReportRequest): ReportQuery {
    return parseReportRequest(req, this.#settings, this.#now());
  }

  async inbound(req: ReportRequest): Promise<InboundReport> {
    const q = this.query(req);
    const notes: string[] = [];
    const campaignIds = await this.#campaignIds(q, notes);
    const all = await this.#history.calls(q.span);
    const calls = all.filter((c) => {
      if (campaignIds) return campaignIds.has(c.id);
      // Callers who reached a queue (or were turned away by one): the ACD's inbound traffic.
      return c.direction === 'inbound' && c.queue !== undefined;
    }).filter((c) => (q.queue === undefined || c.queue === q.queue) && (q.agent === undefined || c.agent === q.agent));
    const wrapUps = await this.#history.wrapUps(q.span, q.now);
    const result = inboundReport({ calls, wrapUps, buckets: q.buckets, shortAbandonMs: q.shortAbandonMs, serviceLevelMsOf: (queue) => this.#serviceLevelMs(q, queue) });
    if (!calls.some((c) => (c.holdMs ?? 0) > 0)) {
      notes.push('avgHoldSeconds: no hold time was recorded for these calls; the ACD records 0 until agents can put callers on hold through it');
    }
    const queues: Record<string, number> = {};
    for (const name of new Set(calls.flatMap((c) => (c.queue !== undefined ? [c.queue] : [])))) queues[name] = this.#serviceLevelMs(q, name) / 1000;
    return {
      ...this.#envelope('inbound', q, notes),
      thresholds: { shortAbandonSeconds: q.shortAbandonMs / 1000, serviceLevelSeconds: this.#serviceLevelMs(q, undefined) / 1000, queues },
      rows: result.rows.map((r) => ({ ...this.#bounds(q, r.span), ...r.figures })),
      total: result.total,
    };
  }

  async agents(req: ReportRequest): Promise<AgentsReport> {
    const q = this.query(req);
    const notes: string[] = [];
    const campaignIds = await this.#campaignIds(q, notes);
    const members = q.queue === undefined ? undefined : new Set(this.#acd.agents().filter((a) => a.profile.queues.some((m) => m.queue === q.queue)).map((a) => a.login));
    const includeAgent = (login: string): boolean => (q.agent === undefined || login === q.agent) && (members === undefined || members.has(login));
    const changes = await this.#history.stateLog(q.span, q.agent);
    const answered = (await this.#history.answered(q.span)).filter(
      (a) => (q.queue === undefined || a.queue === q.queue) && (campaignIds === undefined || campaignIds.has(a.id)),
    );
    const result = agentReport({ changes, answered, buckets: q.buckets, span: q.span, now: q.now, includeAgent });
    if (q.queue !== undefined) notes.push(`agents: the members of queue '${q.queue}' now; their state times cover all their work, calls handled only that queue's`);
    return {
      ...this.#envelope('agents', q, notes),
      rows: result.rows.map((r) => ({ ...this.#bounds(q, r.span), agent: r.agent, ...r.figures })),
      byAgent: result.byAgent.map((a) => ({ agent: a.agent, ...a.figures })),
      total: result.total,
    };
  }

  /** One agent's figures for today in the reports' time zone (agent-day.ts). */
  async agentDay(agent: string): Promise<AgentDay> {
    const report = await this.agents({ period: 'today', interval: 'day', agent });
    const q = this.query({ period: 'today', interval: 'day', agent });
    const calls = await this.#history.calls(q.span);
    const wrapUps = await this.#history.wrapUps(q.span, q.now);
    return { agent, period: report.period, figures: agentDayFigures({ agent, report, calls, wrapUps }) };
  }

  async voicemail(req: ReportRequest): Promise<VoicemailReport> {
    const q = this.query(req);
    const notes: string[] = [];
    const messages = await (await this.#voicemail())?.messages(q.span);
    if (messages === undefined) notes.push('voicemail: no voicemail messages are stored on this server (the voicemail service is not installed)');
    const wanted = (messages ?? []).filter((m) => {
      if (q.box !== undefined && m.box !== q.box) return false;
      if (q.queue !== undefined && m.box !== q.queue && m.box !== `queue:${q.queue}`) return false;
      if (q.agent !== undefined && m.box !== `agent:${q.agent}`) return false;
      return true;
    });
    const result = voicemailReport(wanted, q.buckets);
    return {
      ...this.#envelope('voicemail', q, notes),
      rows: result.rows.map((r) => ({ ...this.#bounds(q, r.span), box: r.box, ...r.figures })),
      byBox: result.byBox.map((b) => ({ box: b.box, ...b.figures })),
      total: result.total,
    };
  }

  async callbacks(req: ReportRequest): Promise<CallbacksReport> {
    const q = this.query(req);
    const notes: string[] = [];
    const campaignIds = await this.#campaignIds(q, notes);
    const callbacks = (await this.#history.callbacks(q.span)).filter(
      (c) =>
        (q.queue === undefined || c.queue === q.queue) &&
        (q.agent === undefined || c.agent === q.agent || c.attempts.some((a) => a.agent === q.agent)) &&
        (campaignIds === undefined || campaignIds.has(c.id)),
    );
    const result = callbacksReport(callbacks, q.buckets);
    return {
      ...this.#envelope('callbacks', q, notes),
      rows: result.rows.map((r) => ({ ...this.#bounds(q, r.span), ...r.figures })),
      total: result.total,
    };
  }

  /**
   * The service-level threshold a call of `queue` is judged by: the request's,
   * else the queue's own (reports.queues in the configuration, or the queue
   * definition's serviceLevelSeconds), else the site's default, else 20 s.
   */
  #serviceLevelMs(q: ReportQuery, queue: string | undefined): number {
    if (q.serviceLevelMs !== undefined) return q.serviceLevelMs;
    if (queue !== undefined) {
      const configured = this.#settings.queues?.[queue]?.serviceLevelSeconds;
      if (configured !== undefined) return configured * 1000;
      const def = this.#acd.queue(queue);
      if (def && 'serviceLevelSeconds' in def && typeof def.serviceLevelSeconds === 'number') return def.serviceLevelSeconds * 1000;
    }
    return (this.#settings.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS) * 1000;
  }

  async #campaignIds(q: ReportQuery, notes: string[]): Promise<Set<string> | undefined> {
    if (q.campaign === undefined) return undefined;
    const ids = await (await this.#campaigns())?.callIds(q.campaign);
    if (ids === undefined) {
      notes.push(`campaign: no campaign attempts are stored on this server, so no call belongs to campaign '${q.campaign}'`);
      return new Set();
    }
    return ids;
  }

  #bounds(q: ReportQuery, span: Span): Bounds {
    return { start: isoInZone(q.timeZone, span.start), end: isoInZone(q.timeZone, span.end) };
  }

  #envelope<K extends ReportKind>(report: K, q: ReportQuery, notes: string[]) {
    return {
      report,
      period: { from: isoInZone(q.timeZone, q.span.start), to: isoInZone(q.timeZone, q.span.end), timeZone: q.timeZone, preset: q.preset ?? null },
      interval: q.interval,
      filters: { queue: q.queue ?? null, agent: q.agent ?? null, campaign: q.campaign ?? null, box: q.box ?? null },
      notes,
    };
  }
}
