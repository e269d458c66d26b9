// Voicemail, callbacks and the campaign filter, on their own hand-made data
// in a real SQLite file (voicemail's and campaigns' own migrations), and what
// the reports say when those services' tables are not there.

import t from 'tap';
import type { SqliteDatabase } from '../../src/store/sqlite.js';
import { voicemailMigrations } from '../../src/services/voicemail/migrations.js';
import { campaignMigrations } from '../../src/services/campaigns/migrations.js';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { Reports } from './wiring.js';
import { reportCsv } from '../../src/services/reports/csv.js';
import { HOUR, LATER, S, acdView, at, openDb } from './fixtures.js';

async function message(db: SqliteDatabase, id: string, box: string, received: string, status: 'new' | 'heard' | 'handled', handled?: string): Promise<void> {
  await db.run(
    `INSERT INTO voicemail_messages (id, box, call_id, caller_number, duration_ms, received_at, status, handled_at, file)
     VALUES (?, ?, ?, '+31205550100', 12000, ?, ?, ?, ?)`,
    [id, box, `call-${id}`, at(received), status, handled === undefined ? null : at(handled), `voicemail/${id}.wav`],
  );
}

t.test('voicemail by box: received, handled, mean and p90 time to handle', async (t) => {
  const db = await openDb(t, voicemailMigrations);
  await message(db, 'm1', 'queue:sales', '09:02:00', 'handled', '09:12:00'); // 600 s
  await message(db, 'm2', 'queue:sales', '09:10:00', 'handled', '09:40:00'); // 1800 s, handled in the next bucket: counts with its arrival
  await message(db, 'm3', 'queue:sales', '09:25:00', 'new');
  await message(db, 'm4', 'general', '09:31:00', 'handled', '09:33:00'); // 120 s
  await message(db, 'm5', 'general', '09:50:00', 'heard');
  await message(db, 'm6', 'general', '10:00:00', 'new'); // after the period
  const reports = new Reports({ db, acd: acdView, now: () => LATER });

  const r = await reports.voicemail(HOUR);
  t.same(r.rows, [
    // queue:sales B1: 3 received, 2 handled; mean (600 + 1800) / 2 = 1200; p90 rank ⌈1.8⌉ = 2 → 1800.
    { start: '2026-01-05T09:00:00+01:00', end: '2026-01-05T09:30:00+01:00', box: 'queue:sales', received: 3, handled: 2, avgTimeToHandleSeconds: 1200, p90TimeToHandleSeconds: 1800 },
    { start: '2026-01-05T09:30:00+01:00', end: '2026-01-05T10:00:00+01:00', box: 'general', received: 2, handled: 1, avgTimeToHandleSeconds: 120, p90TimeToHandleSeconds: 120 },
  ]);
  t.same(r.byBox.map((b) => [b.box, b.received, b.handled]), [['general', 2, 1], ['queue:sales', 3, 2]]);
  // All: mean (600 + 1800 + 120) / 3 = 840; p90 rank ⌈2.7⌉ = 3 of [120, 600, 1800] → 1800.
  t.same(r.total, { received: 5, handled: 3, avgTimeToHandleSeconds: 840, p90TimeToHandleSeconds: 1800 });
  t.same((await reports.voicemail({ ...HOUR, queue: 'sales' })).total, { received: 3, handled: 2, avgTimeToHandleSeconds: 1200, p90TimeToHandleSeconds: 1800 });
  t.same((await reports.voicemail({ ...HOUR, box: 'general' })).total.received, 2);
  t.same(r.notes, []);
  const csv = reportCsv(r).split('\r\n');
  t.equal(csv[0], 'row,start,end,box,received,handled,avgTimeToHandleSeconds,p90TimeToHandleSeconds');
  t.equal(csv[1], 'bucket,2026-01-05T09:00:00+01:00,2026-01-05T09:30:00+01:00,queue:sales,3,2,1200,1800');
  t.equal(csv[5], 'total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,,5,3,840,1800');
});

t.test('without the voicemail and campaign tables the reports answer with zeros and say why', async (t) => {
  const db = await openDb(t);
  const reports = new Reports({ db, acd: acdView, now: () => LATER });
  const vm = await reports.voicemail(HOUR);
  t.same(vm.total, { received: 0, handled: 0, avgTimeToHandleSeconds: null, p90TimeToHandleSeconds: null });
  t.match(vm.notes, [/voicemail service is not installed/]);
  const inbound = await reports.inbound({ ...HOUR, campaign: 'spring' });
  t.equal(inbound.total.offered, 0);
  t.match(inbound.notes, [/no campaign attempts are stored/]);
});

t.test('callbacks by request time: requested, attempted, attempts, connected, failed, pending', async (t) => {
  const db = await openDb(t);
  const records = new CallRecordsRepository(db);
  const callback = async (id: string, queue: string, requested: string, attempts: { agent: string; outcome: string }[], end: { outcome?: 'answered' | 'failed'; agent?: string; live: boolean }) => {
    await records.open({ id, direction: 'outbound', from: queue, to: '+31612345678', arrivedAt: at(requested) });
    await records.update(id, { queue, queuedAt: at(requested) });
    await records.addSegment(id, { kind: 'queue', queue, startedAt: at(requested) });
    let time = at(requested) + 60 * S;
    for (const a of attempts) {
      const seq = await records.addSegment(id, { kind: 'callback', queue, agent: a.agent, startedAt: time });
      await records.updateSegment(id, seq, { endedAt: time + 30 * S, outcome: a.outcome });
      time += 120 * S;
    }
    await records.update(id, { ...(end.outcome ? { outcome: end.outcome } : {}), ...(end.agent ? { agent: end.agent } : {}), live: end.live, ...(end.live ? {} : { endedAt: time }) });
  };
  // B1: a request from elsewhere (voicemail, campaign), three unanswered attempts, given up.
  await callback('callback-xyz', 'sales', '09:12:00', [{ agent: 'ann', outcome: 'no-answer' }, { agent: 'ann', outcome: 'no-answer' }, { agent: 'bob', outcome: 'no-answer' }], { outcome: 'failed', live: false });
  // B2: a caller's request (c8 pressed *), reached at the second attempt (after the period: it counts with its request).
  await callback('c8:callback', 'support', '09:55:45', [{ agent: 'bob', outcome: 'no-answer' }, { agent: 'bob', outcome: 'answered' }], { outcome: 'answered', agent: 'bob', live: false });
  // B2: still waiting for an agent.
  await callback('callback-abc', 'sales', '09:40:00', [], { live: true });
  // Not a callback: an outbound campaign call.
  await records.open({ id: 'camp-1', direction: 'outbound', from: 'sales', to: '+31611111111', arrivedAt: at('09:20:00') });

  const reports = new Reports({ db, acd: acdView, now: () => LATER });
  const r = await reports.callbacks(HOUR);
  t.same(r.rows.map(({ start, end, ...f }) => [start.slice(11, 16), end.slice(11, 16), f]), [
    ['09:00', '09:30', { requested: 1, attempted: 1, attempts: 3, connected: 0, failed: 1, pending: 0 }],
    ['09:30', '10:00', { requested: 2, attempted: 1, attempts: 2, connected: 1, failed: 0, pending: 1 }],
  ]);
  t.same(r.total, { requested: 3, attempted: 2, attempts: 5, connected: 1, failed: 1, pending: 1 });
  t.same((await reports.callbacks({ ...HOUR, queue: 'sales' })).total, { requested: 2, attempted: 1, attempts: 3, connected: 0, failed: 1, pending: 1 });
  t.same((await reports.callbacks({ ...HOUR, agent: 'bob' })).total, { requested: 2, attempted: 2, attempts: 5, connected: 1, failed: 1, pending: 0 }, 'requests bob tried or connected');
  t.equal(reportCsv(r).split('\r\n')[3], 'total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,3,2,5,1,1,1');
});

t.test('campaign filter: the calls of the campaign found in the call records', async (t) => {
  const db = await openDb(t, campaignMigrations);
  const records = new CallRecordsRepository(db);
  for (const [id, arrived] of [['camp-1', '09:20:00'], ['camp-2', '09:21:00']] as const) {
    await records.open({ id, direction: 'outbound', from: 'sales', to: '+31611111111', arrivedAt: at(arrived) });
    await records.update(id, { queue: 'sales', queuedAt: at(arrived), answeredAt: at(arrived) + 2 * S, agent: 'ann', outcome: 'answered', waitMs: 2 * S, talkMs: 50 * S, holdMs: 0, endedAt: at(arrived) + 52 * S, live: false });
  }
  await db.run(`INSERT INTO campaign_attempts (id, campaign, phone, attempt, status, started_at, call_id) VALUES ('a1', 'spring', '+31611111111', 1, 'ended', ?, 'camp-1')`, [at('09:19:50')]);
  const reports = new Reports({ db, acd: acdView, now: () => LATER });
  t.match((await reports.inbound({ ...HOUR, campaign: 'spring' })).total, { offered: 1, answered: 1, avgSpeedOfAnswerSeconds: 2, avgTalkSeconds: 50 });
  t.equal((await reports.inbound(HOUR)).total.offered, 0, 'outbound campaign calls are not inbound traffic');
  t.equal((await reports.inbound({ ...HOUR, campaign: 'winter' })).total.offered, 0);
  t.same((await reports.agents({ ...HOUR, campaign: 'spring' })).total.callsHandled, 1, "ann's calls handled for the campaign");
});
