// What the reports read, straight from the stored history: the ACD's call
// records and segments, its agent state log and queue events, the voicemail
// messages and campaign attempts. Never in-memory counters: a report of last
// week is the same before and after a restart.
//
// Voicemail and campaigns are other services' tables; they may not exist (the
// service is not installed, or an older database). Their readers look the
// table up first and say so instead of failing.

import type { AgentState } from '../acd/index.js';
import type { Database } from '../../store/database.js';
import type { Span } from './buckets.js';

/** An inbound call as the inbound report needs it. */
export interface CallFacts {
  id: string;
  direction: 'inbound' | 'outbound';
  arrivedAt: number;
  queuedAt: number | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  /** The last queue (or, for a caller turned away on arrival, the queue that turned them away). */
  queue: string | undefined;
  agent: string | undefined;
  outcome: string | undefined;
  waitMs: number | undefined;
  talkMs: number | undefined;
  holdMs: number | undefined;
  transferred: boolean;
  live: boolean;
}

interface CallRow {
  id: string;
  direction: 'inbound' | 'outbound';
  arrived_at: number;
  queued_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  queue: string | null;
  agent: string | null;
  outcome: string | null;
  wait_ms: number | null;
  talk_ms: number | null;
  hold_ms: number | null;
  live: number;
  transferred: number;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** Records of calls that arrived in [span.start, span.end), with the queue of those turned away on arrival. */
export async function readCalls(db: Database, span: Span): Promise<CallFacts[]> {
  const rows = await db.all<CallRow>(
    `SELECT r.id, r.direction, r.arrived_at, r.queued_at, r.answered_at, r.ended_at, r.queue, r.agent, r.outcome,
            r.wait_ms, r.talk_ms, r.hold_ms, r.live,
            (r.outcome = 'transferred' OR EXISTS (SELECT 1 FROM acd_call_segments s WHERE s.record_id = r.id AND s.kind = 'transfer')) AS transferred
       FROM acd_call_records r
      WHERE r.arrived_at >= ? AND r.arrived_at < ?
      ORDER BY r.arrived_at, r.id`,
    [span.start, span.end],
  );
  // A caller turned away on arrival (queue full, no agent) never gets the queue on its record; the exit event names it.
  const unqueued = rows.filter((r) => r.queue === null).map((r) => r.id);
  const exitQueue = new Map<string, string>();
  if (unqueued.length > 0) {
    const events = await db.all<{ call_id: string; queue: string }>(
      `SELECT call_id, queue FROM acd_queue_events WHERE type = 'exited' AND at >= ? AND at < ? AND call_id IS NOT NULL ORDER BY at, id`,
      [span.start, span.end],
    );
    const wanted = new Set(unqueued);
    for (const e of events) if (wanted.has(e.call_id) && !exitQueue.has(e.call_id)) exitQueue.set(e.call_id, e.queue);
  }
  return rows.map((r) => ({
    id: r.id, direction: r.direction, arrivedAt: r.arrived_at, queuedAt: opt(r.queued_at), answeredAt: opt(r.answered_at), endedAt: opt(r.ended_at),
    queue: opt(r.queue) ?? exitQueue.get(r.id), agent: opt(r.agent), outcome: opt(r.outcome), waitMs: opt(r.wait_ms), talkMs: opt(r.talk_ms),
    holdMs: opt(r.hold_ms), transferred: r.transferred === 1, live: r.live === 1,
  }));
}

/**
 * Wrap-up time after each call, from the agent state log: from entering
 * wrap-up to the agent's next state (or `now`), for wrap-ups that began in
 * [span.start, span.end + ANSWER_LOOKBACK_MS) — calls that arrived in the span end after it.
 */
export async function readWrapUps(db: Database, span: Span, now: number): Promise<Map<string, number>> {
  const rows = await db.all<{ call_id: string; at: number; next_at: number | null }>(
    `SELECT l.call_id, l.at,
            (SELECT n.at FROM acd_agent_state_log n
              WHERE n.login = l.login AND (n.at > l.at OR (n.at = l.at AND n.id > l.id))
              ORDER BY n.at, n.id LIMIT 1) AS next_at
       FROM acd_agent_state_log l
      WHERE l.to_state = 'wrap-up' AND l.call_id IS NOT NULL AND l.at >= ? AND l.at < ?`,
    [span.start, span.end + ANSWER_LOOKBACK_MS],
  );
  const byCall = new Map<string, number>();
  for (const r of rows) byCall.set(r.call_id, (byCall.get(r.call_id) ?? 0) + Math.max(0, (r.next_at ?? Math.max(now, r.at)) - r.at));
  return byCall;
}

export interface StateChangeFacts {
  login: string;
  to: AgentState;
  reason: string;
  at: number;
}

/**
 * The agent state log for [span.start, span.end): for each agent, its state
 * as the period began (the last change before it, dated span.start), then the
 * changes during the period, in order.
 */
export async function readStateLog(db: Database, span: Span, login: string | undefined): Promise<StateChangeFacts[]> {
  const during = await db.all<{ login: string; to_state: AgentState; reason: string; at: number }>(
    `SELECT login, to_state, reason, at FROM acd_agent_state_log WHERE at >= ? AND at < ? ${login !== undefined ? 'AND login = ?' : ''} ORDER BY at, id`,
    login !== undefined ? [span.start, span.end, login] : [span.start, span.end],
  );
  // The state each agent was in as the period began: its last change before it, one indexed
  // lookup per agent (the agents known now, and any with changes in the period).
  let logins: string[];
  if (login !== undefined) logins = [login];
  else {
    const known = await db.all<{ login: string }>('SELECT login FROM acd_agents');
    logins = [...new Set([...known.map((r) => r.login), ...during.map((r) => r.login)])];
  }
  const before: StateChangeFacts[] = [];
  for (const l of logins) {
    const last = await db.get<{ to_state: AgentState; reason: string }>(
      'SELECT to_state, reason FROM acd_agent_state_log WHERE login = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1',
      [l, span.start],
    );
    if (last && last.to_state !== 'logged-out') before.push({ login: l, to: last.to_state, reason: last.reason, at: span.start });
  }
  return [...before, ...during.map((r) => ({ login: r.login, to: r.to_state, reason: r.reason, at: r.at }))];
}

/** How long before its answer a call may have arrived and still be found (callbacks are answered hours later). */
export const ANSWER_LOOKBACK_MS = 7 * 86_400_000;

/** Calls answered by agents in [span.start, span.end): when, by whom, in which queue. */
export async function readAnswered(db: Database, span: Span): Promise<{ id: string; agent: string; queue: string | undefined; answeredAt: number }[]> {
  // The arrival bound lets SQLite use the arrived_at index instead of reading every record.
  const rows = await db.all<{ id: string; agent: string; queue: string | null; answered_at: number }>(
    `SELECT id, agent, queue, answered_at FROM acd_call_records
      WHERE arrived_at >= ? AND arrived_at < ? AND answered_at >= ? AND answered_at < ? AND agent IS NOT NULL
      ORDER BY answered_at, id`,
    [span.start - ANSWER_LOOKBACK_MS, span.end, span.start, span.end],
  );
  return rows.map((r) => ({ id: r.id, agent: r.agent, queue: opt(r.queue), answeredAt: r.answered_at }));
}

/** A callback request's record (`<call id>:callback` from a caller in a queue, `callback-…` from elsewhere), with its attempts. */
export interface CallbackFacts {
  id: string;
  queue: string | undefined;
  agent: string | undefined;
  requestedAt: number;
  outcome: string | undefined;
  live: boolean;
  fromCaller: boolean;
  attempts: { agent: string | undefined; outcome: string | undefined }[];
}

export async function readCallbacks(db: Database, span: Span): Promise<CallbackFacts[]> {
  const rows = await db.all<{ id: string; queue: string | null; agent: string | null; arrived_at: number; outcome: string | null; live: number }>(
    `SELECT id, queue, agent, arrived_at, outcome, live FROM acd_call_records
      WHERE direction = 'outbound' AND (id LIKE '%:callback' OR id LIKE 'callback-%') AND arrived_at >= ? AND arrived_at < ?
      ORDER BY arrived_at, id`,
    [span.start, span.end],
  );
  if (rows.length === 0) return [];
  const attempts = await db.all<{ record_id: string; agent: string | null; outcome: string | null }>(
    `SELECT s.record_id, s.agent, s.outcome FROM acd_call_segments s
       JOIN acd_call_records r ON r.id = s.record_id
      WHERE s.kind = 'callback' AND r.direction = 'outbound' AND (r.id LIKE '%:callback' OR r.id LIKE 'callback-%') AND r.arrived_at >= ? AND r.arrived_at < ?
      ORDER BY s.record_id, s.seq`,
    [span.start, span.end],
  );
  const byRecord = new Map<string, CallbackFacts['attempts']>();
  for (const a of attempts) {
    let list = byRecord.get(a.record_id);
    if (!list) byRecord.set(a.record_id, (list = []));
    list.push({ agent: opt(a.agent), outcome: opt(a.outcome) });
  }
  return rows.map((r) => ({
    id: r.id, queue: opt(r.queue), agent: opt(r.agent), requestedAt: r.arrived_at, outcome: opt(r.outcome), live: r.live === 1,
    fromCaller: r.id.endsWith(':callback'), attempts: byRecord.get(r.id) ?? [],
  }));
}

// ---- other services' tables, read only if they exist ----

export interface VoicemailFacts {
  box: string;
  receivedAt: number;
  handledAt: number | undefined;
  status: string;
}

/**
 * Voicemail messages received in the span (voicemail's `voicemail_messages`,
 * times in epoch ms), or undefined when there is no such table.
 */
export async function readVoicemail(db: Database, span: Span): Promise<VoicemailFacts[] | undefined> {
  const columns = await db.tableColumns('voicemail_messages');
  if (!columns || !['box', 'received_at', 'status', 'handled_at'].every((c) => columns.includes(c))) return undefined;
  const rows = await db.all<{ box: string; received_at: number; status: string; handled_at: number | null }>(
    'SELECT box, received_at, status, handled_at FROM voicemail_messages WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id',
    [span.start, span.end],
  );
  return rows.map((r) => ({ box: r.box, receivedAt: r.received_at, handledAt: opt(r.handled_at), status: r.status }));
}

/**
 * Ids of the calls placed for a campaign (campaigns' `campaign_attempts`), or
 * undefined when there is no such table (then no call is a campaign call).
 */
export async function readCampaignCallIds(db: Database, campaign: string): Promise<Set<string> | undefined> {
  const columns = await db.tableColumns('campaign_attempts');
  if (!columns?.includes('campaign') || !columns.includes('call_id')) return undefined;
  const rows = await db.all<{ call_id: string }>('SELECT call_id FROM campaign_attempts WHERE campaign = ? AND call_id IS NOT NULL', [campaign]);
  return new Set(rows.map((r) => r.call_id));
}
