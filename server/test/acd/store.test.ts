// The ACD's tables on a real SQLite file: definitions, the append-only logs,
// call records with segments, and what a restart closes and resets.

import t from 'tap';
import path from 'node:path';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { migrations } from '../../src/store/migrations/index.js';
import { acdMigrations } from '../../src/services/acd/migrations.js';
import { QueuesRepository } from '../../src/services/acd/store/queues-repo.js';
import { AgentsRepository } from '../../src/services/acd/store/agents-repo.js';
import { AgentStateLog } from '../../src/services/acd/store/agent-state-log.js';
import { QueueEventLog } from '../../src/services/acd/store/queue-events.js';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { reconcileAfterRestart } from '../../src/services/acd/store/reconcile.js';
import { Agent } from '../../src/services/acd/agent-state.js';
import { tempDir } from '../helpers.js';
import { agentProfile, queue } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

async function openDb(file: string): Promise<SqliteDatabase> {
  const db = new SqliteDatabase(file);
  await db.migrate([...migrations, ...acdMigrations]);
  return db;
}

t.test('the ACD migrations apply after the foundation ones, once', async (t) => {
  const db = await openDb(path.join(tempDir(t), 'm.db'));
  t.teardown(() => db.close());
  const applied = await db.appliedMigrations();
  for (const m of acdMigrations) t.ok(applied.includes(m.id), m.id);
  t.same(await db.migrate([...migrations, ...acdMigrations]), []);
});

t.test('queues and agents are stored and read back whole', async (t) => {
  const db = await openDb(path.join(tempDir(t), 'q.db'));
  t.teardown(() => db.close());
  const queues = new QueuesRepository(db);
  const def = queue('support', {
    strategy: 'skills-based', requiredSkills: { de: 3 }, escalation: [{ afterSeconds: 30, skills: { de: 1 } }],
    overflow: { afterSeconds: 120, queue: 'backup' }, exits: { 'max-wait': { type: 'voicemail', box: 'support' } },
  });
  await queues.save(def, 'config', T0);
  t.same((await queues.get('support'))?.definition, def);
  await queues.save({ ...def, wrapUpSeconds: 15 }, 'api', T0 + 1);
  t.same([(await queues.get('support'))?.definition.wrapUpSeconds, (await queues.list()).length], [15, 1], 'saved again: updated, not duplicated');
  t.ok(await queues.delete('support'));
  t.equal(await queues.get('support'), undefined);

  const agents = new AgentsRepository(db);
  const profile = { ...agentProfile('ann', [{ queue: 'support', penalty: 2 }], { de: 7 }), device: { type: 'external' as const, number: '+31205550101', trunk: 'kpn' } };
  await agents.saveProfile(profile, 'config', T0);
  await agents.saveState('ann', 'break', 'lunch', T0 + 5);
  await agents.saveProfile({ ...profile, name: 'Ann B.' }, 'config', T0 + 10);
  const stored = await agents.get('ann');
  t.same(stored?.profile, { ...profile, name: 'Ann B.' });
  t.same([stored?.state, stored?.stateReason, stored?.stateSince], ['break', 'lunch', T0 + 5], 'a profile update keeps the state');
});

t.test('the agent state log and queue events are appended and read in time order', async (t) => {
  const db = await openDb(path.join(tempDir(t), 'l.db'));
  t.teardown(() => db.close());
  const log = new AgentStateLog(db);
  const a = new Agent(agentProfile('bob', ['q']), T0);
  await log.append(a.logIn(true, 'login', T0));
  await log.append(a.offer('call-9', T0 + 1000));
  await log.append(a.missed(3, T0 + 21_000));
  const lines = await log.list({ login: 'bob' });
  t.same(lines.map((l) => [l.from, l.to, l.reason, l.callId, l.at - T0]), [
    ['logged-out', 'ready', 'login', undefined, 0],
    ['ready', 'offered', 'offer', 'call-9', 1000],
    ['offered', 'ready', 'offer missed', 'call-9', 21_000],
  ]);
  t.same((await log.list({ from: T0 + 1000, to: T0 + 2000 })).length, 1);

  const events = new QueueEventLog(db);
  await events.append({ at: T0, queue: 'q', type: 'queued', callId: 'call-9', entryId: 'e1', agent: undefined, detail: { priority: 2 } });
  await events.append({ at: T0 + 5, queue: 'q', type: 'abandoned', callId: 'call-9', entryId: 'e1', agent: undefined, detail: { waitMs: 5 } });
  t.same((await events.list({ queue: 'q' })).map((e) => [e.type, e.detail]), [['queued', { priority: 2 }], ['abandoned', { waitMs: 5 }]]);
});

t.test('a call record carries its segments and is found by filters', async (t) => {
  const db = await openDb(path.join(tempDir(t), 'r.db'));
  t.teardown(() => db.close());
  const records = new CallRecordsRepository(db);
  await records.open({ id: 'c1', direction: 'inbound', from: '+31205550000', to: '100', arrivedAt: T0 });
  const q = await records.addSegment('c1', { kind: 'queue', queue: 'sales', startedAt: T0 + 100 });
  await records.updateSegment('c1', q, { endedAt: T0 + 8100, outcome: 'answered' });
  const ag = await records.addSegment('c1', { kind: 'agent', queue: 'sales', agent: 'ann', startedAt: T0 + 6000 });
  await records.updateSegment('c1', ag, { offeredAt: T0 + 6000, answeredAt: T0 + 8100, endedAt: T0 + 68_100, outcome: 'answered' });
  await records.update('c1', { queue: 'sales', agent: 'ann', queuedAt: T0 + 100, answeredAt: T0 + 8100, endedAt: T0 + 68_100, outcome: 'answered', waitMs: 8000, talkMs: 60_000, endCause: 'normal', live: false });
  await records.open({ id: 'c2', direction: 'inbound', from: '+31205550001', to: '100', arrivedAt: T0 + 1000 });
  await records.update('c2', { queue: 'sales', outcome: 'abandoned', waitMs: 12_000, endedAt: T0 + 13_000, live: false });

  const c1 = await records.get('c1');
  t.same([c1?.outcome, c1?.waitMs, c1?.talkMs, c1?.live, c1?.segments.map((s) => [s.seq, s.kind, s.outcome])], [
    'answered', 8000, 60_000, false, [[1, 'queue', 'answered'], [2, 'agent', 'answered']],
  ]);
  t.same((await records.list({ outcome: 'abandoned' })).map((r) => r.id), ['c2']);
  t.same((await records.list({ agent: 'ann' })).map((r) => r.id), ['c1']);
  t.same((await records.list({ queue: 'sales' })).map((r) => r.id), ['c2', 'c1'], 'newest first');
  t.same((await records.list({ from: T0 + 500 })).map((r) => r.id), ['c2']);
});

t.test('after a crash: live calls are closed with "server-restart", agents on calls are made ready, breaks kept', async (t) => {
  const file = path.join(tempDir(t), 'crash.db');
  const before = await openDb(file);
  const agents = new AgentsRepository(before);
  const records = new CallRecordsRepository(before);
  for (const [login, state] of [['oncall', 'on-call'], ['offered', 'offered'], ['wrapping', 'wrap-up'], ['resting', 'break'], ['ready', 'ready'], ['gone', 'logged-out']] as const) {
    await agents.saveProfile(agentProfile(login, ['q']), 'config', T0);
    await agents.saveState(login, state, state === 'break' ? 'lunch' : '', T0);
  }
  await records.open({ id: 'talking', direction: 'inbound', from: '1', to: '2', arrivedAt: T0 });
  await records.update('talking', { queue: 'q', agent: 'oncall', answeredAt: T0 + 5000 });
  await records.addSegment('talking', { kind: 'agent', agent: 'oncall', startedAt: T0 + 4000 });
  await records.open({ id: 'waiting', direction: 'inbound', from: '3', to: '2', arrivedAt: T0 });
  // The process dies here: the connection is never closed. A new one opens the same file.
  const after = await openDb(file);
  t.teardown(async () => {
    await after.close();
    await before.close();
  });
  const result = await reconcileAfterRestart(after, T0 + 65_000);
  t.same(result.closedCalls.sort(), ['talking', 'waiting']);
  const repo = new CallRecordsRepository(after);
  const talking = await repo.get('talking');
  t.same([talking?.live, talking?.endCause, talking?.outcome, talking?.talkMs, talking?.segments[0]?.endedAt], [false, 'server-restart', 'answered', 60_000, T0 + 65_000]);
  t.same([(await repo.get('waiting'))?.outcome, (await repo.list({ live: true })).length], ['failed', 0]);
  const states = Object.fromEntries((await new AgentsRepository(after).list()).map((a) => [a.profile.login, a.state]));
  t.same(states, { gone: 'logged-out', offered: 'ready', oncall: 'ready', ready: 'ready', resting: 'break', wrapping: 'ready' });
  t.same((await new AgentStateLog(after).list({ from: T0 + 65_000 })).map((l) => [l.login, l.from, l.to, l.reason]).sort(), [
    ['offered', 'offered', 'ready', 'server-restart'], ['oncall', 'on-call', 'ready', 'server-restart'], ['wrapping', 'wrap-up', 'ready', 'server-restart'],
  ]);
  t.same(await reconcileAfterRestart(after, T0 + 70_000), { closedCalls: [], agentChanges: [] }, 'a second restart has nothing to do');
});
