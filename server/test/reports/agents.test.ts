// The agent availability report against the hand-made hour (fixtures.ts):
// state times from the agent state log, split at bucket boundaries.

import t, { type Test } from 'tap';
import { Reports } from './wiring.js';
import { reportCsv } from '../../src/services/reports/csv.js';
import { HOUR, LATER, acdView, openDb, writeHour } from './fixtures.js';

async function setup(t: Test, now = LATER) {
  const db = await openDb(t);
  await writeHour(db);
  return new Reports({ db, acd: acdView, now: () => now });
}

const B1 = { start: '2026-01-05T09:00:00+01:00', end: '2026-01-05T09:30:00+01:00' };
const B2 = { start: '2026-01-05T09:30:00+01:00', end: '2026-01-05T10:00:00+01:00' };

t.test('per bucket and agent: lunch across 09:30 is split 10 + 5 minutes; occupancy by hand', async (t) => {
  const reports = await setup(t);
  const r = await reports.agents(HOUR);
  t.same(r.rows, [
    // ann B1, ready since 08:50 when the period begins: ready 09:00–09:01 (60) + 09:03:35–09:20 (985) = 1045;
    // offered 5; on call 09:01:05–09:03:05 = 120; wrap-up 30; lunch 09:20–09:30 = 600. Logged in 1800.
    // Occupancy (120 + 30) / (1800 − 600) = 12.5 %. c1 answered at 09:01:05.
    { ...B1, agent: 'ann', loggedInSeconds: 1800, readySeconds: 1045, breakSeconds: 600, breakByReason: { lunch: 600 }, offeredSeconds: 5, onCallSeconds: 120, wrapUpSeconds: 30, occupancyPercent: 12.5, callsHandled: 1 },
    // bob B1, logs in at 09:00: ready 300 + 230 + 900 = 1430; offered 10; on call 60; coffee 300. 60 / 1500 = 4 %.
    { ...B1, agent: 'bob', loggedInSeconds: 1800, readySeconds: 1430, breakSeconds: 300, breakByReason: { coffee: 300 }, offeredSeconds: 10, onCallSeconds: 60, wrapUpSeconds: 0, occupancyPercent: 4, callsHandled: 1 },
    // ann B2: lunch 09:30–09:35 = 300; ready 300 + 360 = 660; offered 30; on call 200; wrap-up 10; logged out at 09:50
    // → logged in 1200. Occupancy 210 / 900 = 23.33 %.
    { ...B2, agent: 'ann', loggedInSeconds: 1200, readySeconds: 660, breakSeconds: 300, breakByReason: { lunch: 300 }, offeredSeconds: 30, onCallSeconds: 200, wrapUpSeconds: 10, occupancyPercent: 23.33, callsHandled: 1 },
    // bob B2: ready 900 + 740 = 1640; offered 40; on call 100; wrap-up 20. 120 / 1800 = 6.67 %. (c9 at 10:00 is outside.)
    { ...B2, agent: 'bob', loggedInSeconds: 1800, readySeconds: 1640, breakSeconds: 0, breakByReason: {}, offeredSeconds: 40, onCallSeconds: 100, wrapUpSeconds: 20, occupancyPercent: 6.67, callsHandled: 1 },
  ]);
  t.same(r.byAgent, [
    // ann: 3000 logged in, 900 lunch; (320 + 40) / 2100 = 17.14 %.
    { agent: 'ann', loggedInSeconds: 3000, readySeconds: 1705, breakSeconds: 900, breakByReason: { lunch: 900 }, offeredSeconds: 35, onCallSeconds: 320, wrapUpSeconds: 40, occupancyPercent: 17.14, callsHandled: 2 },
    // bob: 3600 logged in, 300 coffee; (160 + 20) / 3300 = 5.45 %.
    { agent: 'bob', loggedInSeconds: 3600, readySeconds: 3070, breakSeconds: 300, breakByReason: { coffee: 300 }, offeredSeconds: 50, onCallSeconds: 160, wrapUpSeconds: 20, occupancyPercent: 5.45, callsHandled: 2 },
  ]);
  // Everyone: (480 + 60) / (6600 − 1200) = 10 %.
  t.same(r.total, { loggedInSeconds: 6600, readySeconds: 4775, breakSeconds: 1200, breakByReason: { coffee: 300, lunch: 900 }, offeredSeconds: 85, onCallSeconds: 480, wrapUpSeconds: 60, occupancyPercent: 10, callsHandled: 4 });
});

t.test('15-minute buckets split the lunch break 09:20–09:35 into 10 and 5 minutes at 09:30', async (t) => {
  const reports = await setup(t);
  const r = await reports.agents({ ...HOUR, interval: '15m', agent: 'ann' });
  t.same(r.rows.map((row) => [row.start.slice(11, 16), row.breakByReason['lunch'] ?? 0, row.loggedInSeconds]), [
    ['09:00', 0, 900],
    ['09:15', 600, 900],
    ['09:30', 300, 900],
    ['09:45', 0, 300],
  ], 'ann logged out at 09:50: 5 minutes of the last quarter');
});

t.test('an agent with no state change in the period is counted from its state before it', async (t) => {
  const reports = await setup(t);
  // 09:51–09:52: ann logged out at 09:50; bob has been ready since 09:47:40 and changes nothing.
  const r = await reports.agents({ from: '2026-01-05T09:51:00+01:00', to: '2026-01-05T09:52:00+01:00', interval: '15m', tz: 'Europe/Amsterdam' });
  t.same(r.rows.map((row) => [row.agent, row.loggedInSeconds, row.readySeconds]), [['bob', 60, 60]]);
});

t.test('a report asked during the hour stops at now: the future is not counted', async (t) => {
  const reports = await setup(t, Date.parse('2026-01-05T09:55:00+01:00'));
  const r = await reports.agents({ ...HOUR, agent: 'bob' });
  // bob B2 up to 09:55: ready 900 + (09:47:40–09:55 = 440) = 1340; logged in 1500.
  t.match(r.rows[1], { agent: 'bob', loggedInSeconds: 1500, readySeconds: 1340 });
});

t.test('queue filter: its members now; CSV with a column per break reason', async (t) => {
  const reports = await setup(t);
  const support = await reports.agents({ ...HOUR, queue: 'support' });
  t.same(support.byAgent.map((a) => [a.agent, a.callsHandled]), [['bob', 0]], 'only bob serves support; he answered no support call');
  t.match(support.notes, [/members of queue 'support'/]);

  const csv = reportCsv(await reports.agents(HOUR)).split('\r\n');
  t.equal(csv[0], 'row,start,end,agent,loggedInSeconds,readySeconds,breakSeconds,offeredSeconds,onCallSeconds,wrapUpSeconds,occupancyPercent,callsHandled,break:coffee,break:lunch');
  t.equal(csv[1], 'bucket,2026-01-05T09:00:00+01:00,2026-01-05T09:30:00+01:00,ann,1800,1045,600,5,120,30,12.5,1,0,600');
  t.equal(csv[5], 'agent-total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,ann,3000,1705,900,35,320,40,17.14,2,0,900');
  t.equal(csv[7], 'total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,,6600,4775,1200,85,480,60,10,4,300,900');
  t.equal(csv.length, 9, 'header, 4 bucket rows, 2 agent totals, the total, and the final line break');
});
