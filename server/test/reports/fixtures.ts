// One hand-made hour of a contact center, written into a real SQLite file
// through the ACD's own repositories (call records, segments, queue events,
// agent state log), so the reports read exactly what the ACD would have
// written. Every figure the tests assert is computed by hand from these
// times in the comments of the tests.
//
// The hour: Monday 5 January 2026, 09:00–10:00 in Amsterdam (UTC+1), i.e.
// 08:00–09:00 UTC. With 30-minute buckets: B1 = 09:00–09:30, B2 = 09:30–10:00.

import path from 'node:path';
import type { Test } from 'tap';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import type { SqlExecutor } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { acdMigrations } from '../../src/services/acd/migrations.js';
import { AgentStateLog } from '../../src/services/acd/store/agent-state-log.js';
import { AgentsRepository } from '../../src/services/acd/store/agents-repo.js';
import { CallRecordsRepository, type CallOutcome } from '../../src/services/acd/store/call-records.js';
import { QueueEventLog } from '../../src/services/acd/store/queue-events.js';
import type { AgentState } from '../../src/services/acd/agent-state.js';
import type { AcdView } from '../../src/services/reports/reports.js';
import { queueWithDefaults } from '../../src/services/acd/model.js';
import { tempDir } from '../helpers.js';

export const TZ = 'Europe/Amsterdam';
export const S = 1000;
export const MIN = 60 * S;
/** 09:00 in Amsterdam. */
export const T0 = Date.parse('2026-01-05T09:00:00+01:00');
/** Local time of the fixture day, e.g. at('09:01:05'). */
export const at = (hhmmss: string): number => Date.parse(`2026-01-05T${hhmmss}+01:00`);

/** The hour as a report request: 30-minute buckets in Amsterdam. */
export const HOUR = { from: '2026-01-05T09:00:00+01:00', to: '2026-01-05T10:00:00+01:00', interval: '30m', tz: TZ } as const;

export async function openDb(t: Test, extra: Parameters<SqliteDatabase['migrate']>[0] = []): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(path.join(tempDir(t, 'tenor-reports-'), 'tenor.db'));
  await db.migrate([...migrations, ...acdMigrations, ...extra]);
  t.teardown(() => db.close());
  return db;
}

interface CallSpec {
  id: string;
  queue: string;
  arrived: string;
  waitS: number;
  outcome: CallOutcome;
  agent?: string;
  talkS?: number;
  holdS?: number;
  transferred?: boolean;
  /** Turned away on arrival (full, empty): never queued, the queue only in the exit event. */
  turnedAway?: boolean;
}

/** Write one call as the ACD does: open, queue segment, agent segment, close. */
export async function writeCall(db: SqlExecutor, c: CallSpec): Promise<void> {
  const records = new CallRecordsRepository(db);
  const events = new QueueEventLog(db);
  const arrivedAt = at(c.arrived);
  await records.open({ id: c.id, direction: 'inbound', from: '+31205550100', to: '+31205550199', arrivedAt });
  if (c.turnedAway) {
    await events.append({ at: arrivedAt, queue: c.queue, type: 'exited', callId: c.id, entryId: c.id, agent: undefined, detail: { reason: 'full' } });
    await records.update(c.id, { outcome: c.outcome, waitMs: 0, endedAt: arrivedAt + 5 * S, endCause: 'normal', live: false });
    return;
  }
  await records.update(c.id, { queue: c.queue, queuedAt: arrivedAt });
  const queueSeg = await records.addSegment(c.id, { kind: 'queue', queue: c.queue, startedAt: arrivedAt });
  const waited = arrivedAt + c.waitS * S;
  if (c.outcome === 'answered' && c.agent !== undefined) {
    const agentSeg = await records.addSegment(c.id, { kind: 'agent', queue: c.queue, agent: c.agent, startedAt: arrivedAt });
    const end = waited + (c.talkS ?? 0) * S;
    await records.updateSegment(c.id, queueSeg, { endedAt: waited, outcome: 'answered' });
    await records.updateSegment(c.id, agentSeg, { offeredAt: arrivedAt, answeredAt: waited, endedAt: end, outcome: 'answered' });
    if (c.transferred) await records.addSegment(c.id, { kind: 'transfer', queue: c.queue, agent: c.agent, startedAt: end - 10 * S });
    await records.update(c.id, {
      offeredAt: arrivedAt, answeredAt: waited, agent: c.agent, outcome: 'answered', waitMs: c.waitS * S, endedAt: end,
      talkMs: (c.talkS ?? 0) * S, holdMs: (c.holdS ?? 0) * S, endCause: 'normal', live: false,
    });
    return;
  }
  await records.updateSegment(c.id, queueSeg, { endedAt: waited, outcome: c.outcome });
  await records.update(c.id, { outcome: c.outcome, waitMs: c.waitS * S, endedAt: waited, endCause: 'normal', live: false });
}

/** Append agent state changes: [time, from, to, reason, call id?]. */
export async function writeStates(db: SqlExecutor, login: string, changes: [string, AgentState, AgentState, string, string?][]): Promise<void> {
  const log = new AgentStateLog(db);
  for (const [time, from, to, reason, callId] of changes) await log.append({ login, from, to, reason, at: at(time), callId });
}

/**
 * The hour. Queue sales (the brief's six calls) and queue support:
 *
 *  id   queue    arrived   wait  outcome                       agent talk hold
 *  c0   sales    08:59:59    2   abandoned (before the period)
 *  c1   sales    09:01:00    5   answered                       ann  120
 *  c2   sales    09:05:00   10   answered, transferred          bob   60
 *  c3   sales    09:10:00   60   abandoned
 *  c4   sales    09:20:00    3   abandoned (short)
 *  c5   sales    09:40:00   30   answered                       ann  200   15
 *  c6   sales    09:45:00   40   answered                       bob  100
 *  c7   support  09:50:00   90   voicemail (exit)
 *  c8   support  09:55:00   45   callback requested
 *  c10  support  09:35:00    -   turned away (full) on arrival
 *  c9   sales    10:00:00    7   answered (after the period)    bob   10
 *
 * Agents (state log; wrap-up c1 30 s, c5 10 s, c6 20 s, c2 none):
 *  ann: ready 08:50; offered 09:01:00, on call 09:01:05, wrap-up 09:03:05, ready 09:03:35;
 *       break lunch 09:20:00–09:35:00 (across the 09:30 boundary);
 *       offered 09:40:00, on call 09:40:30, wrap-up 09:43:50, ready 09:44:00; logged out 09:50:00.
 *  bob: logs in (ready) 09:00:00; offered 09:05:00, on call 09:05:10, ready 09:06:10;
 *       break coffee 09:10:00–09:15:00; offered 09:45:00, on call 09:45:40, wrap-up 09:47:20,
 *       ready 09:47:40; still logged in at 10:00.
 */
export async function writeHour(db: SqlExecutor): Promise<void> {
  const calls: CallSpec[] = [
    { id: 'c0', queue: 'sales', arrived: '08:59:59', waitS: 2, outcome: 'abandoned' },
    { id: 'c1', queue: 'sales', arrived: '09:01:00', waitS: 5, outcome: 'answered', agent: 'ann', talkS: 120 },
    { id: 'c2', queue: 'sales', arrived: '09:05:00', waitS: 10, outcome: 'answered', agent: 'bob', talkS: 60, transferred: true },
    { id: 'c3', queue: 'sales', arrived: '09:10:00', waitS: 60, outcome: 'abandoned' },
    { id: 'c4', queue: 'sales', arrived: '09:20:00', waitS: 3, outcome: 'abandoned' },
    { id: 'c5', queue: 'sales', arrived: '09:40:00', waitS: 30, outcome: 'answered', agent: 'ann', talkS: 200, holdS: 15 },
    { id: 'c6', queue: 'sales', arrived: '09:45:00', waitS: 40, outcome: 'answered', agent: 'bob', talkS: 100 },
    { id: 'c7', queue: 'support', arrived: '09:50:00', waitS: 90, outcome: 'voicemail' },
    { id: 'c8', queue: 'support', arrived: '09:55:00', waitS: 45, outcome: 'callback' },
    { id: 'c10', queue: 'support', arrived: '09:35:00', waitS: 0, outcome: 'exited', turnedAway: true },
    { id: 'c9', queue: 'sales', arrived: '10:00:00', waitS: 7, outcome: 'answered', agent: 'bob', talkS: 10 },
  ];
  for (const c of calls) await writeCall(db, c);
  const agents = new AgentsRepository(db);
  for (const [login, queues] of [['ann', ['sales']], ['bob', ['sales', 'support']]] as const) {
    await agents.saveProfile({ login, name: login, device: { type: 'softphone' }, skills: {}, queues: queues.map((queue) => ({ queue, penalty: 0 })) }, 'config', at('08:00:00'));
  }
  await writeStates(db, 'ann', [
    ['08:50:00', 'logged-out', 'ready', 'login'],
    ['09:01:00', 'ready', 'offered', 'offer', 'c1'],
    ['09:01:05', 'offered', 'on-call', 'answered', 'c1'],
    ['09:03:05', 'on-call', 'wrap-up', 'call ended', 'c1'],
    ['09:03:35', 'wrap-up', 'ready', 'wrap-up time over', 'c1'],
    ['09:20:00', 'ready', 'break', 'lunch'],
    ['09:35:00', 'break', 'ready', 'ready'],
    ['09:40:00', 'ready', 'offered', 'offer', 'c5'],
    ['09:40:30', 'offered', 'on-call', 'answered', 'c5'],
    ['09:43:50', 'on-call', 'wrap-up', 'call ended', 'c5'],
    ['09:44:00', 'wrap-up', 'ready', 'wrap-up ended by agent', 'c5'],
    ['09:50:00', 'ready', 'logged-out', 'logout'],
  ]);
  await writeStates(db, 'bob', [
    ['09:00:00', 'logged-out', 'ready', 'login'],
    ['09:05:00', 'ready', 'offered', 'offer', 'c2'],
    ['09:05:10', 'offered', 'on-call', 'answered', 'c2'],
    ['09:06:10', 'on-call', 'ready', 'call ended', 'c2'],
    ['09:10:00', 'ready', 'break', 'coffee'],
    ['09:15:00', 'break', 'ready', 'ready'],
    ['09:45:00', 'ready', 'offered', 'offer', 'c6'],
    ['09:45:40', 'offered', 'on-call', 'answered', 'c6'],
    ['09:47:20', 'on-call', 'wrap-up', 'call ended', 'c6'],
    ['09:47:40', 'wrap-up', 'ready', 'wrap-up time over', 'c6'],
    ['10:00:00', 'ready', 'offered', 'offer', 'c9'],
    ['10:00:07', 'offered', 'on-call', 'answered', 'c9'],
  ]);
}

/** The ACD as the reports see it: queues sales and support, ann in sales, bob in sales and support. */
export const acdView: AcdView = {
  queue: (name) => (name === 'sales' || name === 'support' ? queueWithDefaults({ name }) : undefined),
  agents: () => [
    { login: 'ann', profile: { queues: [{ queue: 'sales' }] } },
    { login: 'bob', profile: { queues: [{ queue: 'sales' }, { queue: 'support' }] } },
  ],
};

/** Well after the hour: nothing is clipped at "now". */
export const LATER = Date.parse('2026-01-05T14:00:00+01:00');
