// The inbound report against the hand-made hour (fixtures.ts): every figure
// below is computed by hand in the comments.

import t, { type Test } from 'tap';
import { Reports } from './wiring.js';
import { reportCsv } from '../../src/services/reports/csv.js';
import { HOUR, LATER, acdView, openDb, writeHour } from './fixtures.js';

async function setup(t: Test, settings = {}) {
  const db = await openDb(t);
  await writeHour(db);
  return new Reports({ db, acd: acdView, settings, now: () => LATER });
}

t.test('queue sales, 30-minute buckets: the brief\'s six calls, figure by figure', async (t) => {
  const reports = await setup(t);
  const r = await reports.inbound({ ...HOUR, queue: 'sales' });

  t.same(r.period, { from: '2026-01-05T09:00:00+01:00', to: '2026-01-05T10:00:00+01:00', timeZone: 'Europe/Amsterdam', preset: null });
  t.equal(r.interval, '30m');
  t.same(r.rows.map((row) => [row.start, row.end]), [
    ['2026-01-05T09:00:00+01:00', '2026-01-05T09:30:00+01:00'],
    ['2026-01-05T09:30:00+01:00', '2026-01-05T10:00:00+01:00'],
  ], 'buckets aligned on the Amsterdam clock; c0 (08:59:59) and c9 (10:00:00) are outside');

  // B1: c1 answered after 5 s (ann, talk 120, wrap 30), c2 after 10 s (bob, talk 60, transferred, no wrap-up),
  //     c3 abandoned after 60 s, c4 abandoned after 3 s (≤ 5 s: short).
  //     SL 20 s: c1, c2 → 2 / (4 − 1) = 66.67 %. ASA (5+10)/2 = 7.5. Wait (5+10+60+3)/4 = 19.5;
  //     p90 = rank ⌈0.9×4⌉ = 4 of [3,5,10,60] = 60. Talk (120+60)/2 = 90. Hold 0. Wrap-up (30+0)/2 = 15.
  t.same(r.rows[0], {
    start: '2026-01-05T09:00:00+01:00', end: '2026-01-05T09:30:00+01:00',
    offered: 4, answered: 2, abandoned: 1, shortAbandoned: 1, answeredWithinThreshold: 2, serviceLevelPercent: 66.67,
    avgSpeedOfAnswerSeconds: 7.5, avgWaitSeconds: 19.5, p90WaitSeconds: 60, transferred: 1, avgTalkSeconds: 90, avgHoldSeconds: 0,
    avgWrapUpSeconds: 15, callbacksRequested: 0, voicemailExits: 0, otherExits: 0,
  });
  // B2: c5 after 30 s (ann, talk 200, hold 15, wrap 10), c6 after 40 s (bob, talk 100, wrap 20).
  //     SL 0 / 2 = 0 %. ASA 35. Wait 35; p90 = rank 2 of [30,40] = 40. Talk 150. Hold 7.5. Wrap-up 15.
  t.same(r.rows[1], {
    start: '2026-01-05T09:30:00+01:00', end: '2026-01-05T10:00:00+01:00',
    offered: 2, answered: 2, abandoned: 0, shortAbandoned: 0, answeredWithinThreshold: 0, serviceLevelPercent: 0,
    avgSpeedOfAnswerSeconds: 35, avgWaitSeconds: 35, p90WaitSeconds: 40, transferred: 0, avgTalkSeconds: 150, avgHoldSeconds: 7.5,
    avgWrapUpSeconds: 15, callbacksRequested: 0, voicemailExits: 0, otherExits: 0,
  });
  // The hour: SL 2 / (6 − 1) = 40 %. ASA (5+10+30+40)/4 = 21.25. Wait 148/6 = 24.67; p90 = rank ⌈5.4⌉ = 6 of
  // [3,5,10,30,40,60] = 60. Talk (120+60+200+100)/4 = 120. Hold 15/4 = 3.75. Wrap-up (30+0+10+20)/4 = 15.
  t.same(r.total, {
    offered: 6, answered: 4, abandoned: 1, shortAbandoned: 1, answeredWithinThreshold: 2, serviceLevelPercent: 40,
    avgSpeedOfAnswerSeconds: 21.25, avgWaitSeconds: 24.67, p90WaitSeconds: 60, transferred: 1, avgTalkSeconds: 120, avgHoldSeconds: 3.75,
    avgWrapUpSeconds: 15, callbacksRequested: 0, voicemailExits: 0, otherExits: 0,
  });
  t.same(r.thresholds, { shortAbandonSeconds: 5, serviceLevelSeconds: 20, queues: { sales: 20 } });
  t.same(r.notes, [], 'a hold was recorded (c5): no note about hold');
});

t.test('all queues: voicemail exit, callback request and a caller turned away count as offered', async (t) => {
  const reports = await setup(t);
  const r = await reports.inbound(HOUR);
  // Adds in B2: c10 turned away at 09:35 (no wait: not among the waits), c7 to voicemail after 90 s, c8 callback after 45 s.
  // B2: offered 5, SL 0 / 5 = 0; waits [30,40,90,45] → mean 51.25, p90 rank 4 = 90.
  t.match(r.rows[1], { offered: 5, answered: 2, serviceLevelPercent: 0, avgWaitSeconds: 51.25, p90WaitSeconds: 90, callbacksRequested: 1, voicemailExits: 1, otherExits: 1 });
  // Hour: offered 9, SL 2 / (9 − 1) = 25 %; waits [5,10,60,3,30,40,90,45] → 283/8 = 35.38, p90 rank ⌈7.2⌉ = 8 → 90.
  t.match(r.total, { offered: 9, answered: 4, abandoned: 1, shortAbandoned: 1, answeredWithinThreshold: 2, serviceLevelPercent: 25, avgWaitSeconds: 35.38, p90WaitSeconds: 90 });
  const support = await reports.inbound({ ...HOUR, queue: 'support' });
  t.match(support.total, { offered: 3, answered: 0, serviceLevelPercent: 0, avgSpeedOfAnswerSeconds: null, avgTalkSeconds: null, voicemailExits: 1, callbacksRequested: 1, otherExits: 1 });
  t.match(support.notes, [/avgHoldSeconds: no hold time was recorded/], 'no hold in support: the report says hold is not recorded');
  t.same(support.rows[0]?.avgWaitSeconds, null, 'an empty bucket has no average, not 0');
});

t.test('thresholds: per request, per queue in the configuration, and the short-abandon threshold', async (t) => {
  const reports = await setup(t, { queues: { sales: { serviceLevelSeconds: 30 } } });
  // sales at 30 s: c1, c2, c5 (30 ≤ 30) → 3 / 5 = 60 %.
  const own = await reports.inbound({ ...HOUR, queue: 'sales' });
  t.match(own.total, { answeredWithinThreshold: 3, serviceLevelPercent: 60 });
  t.same(own.thresholds.queues, { sales: 30 });
  // Request overrides: 40 s → all four answered → 4 / 5 = 80 %.
  t.match((await reports.inbound({ ...HOUR, queue: 'sales', serviceLevelSeconds: '40' })).total, { answeredWithinThreshold: 4, serviceLevelPercent: 80 });
  // No short abandons (0 s): c4 is abandoned; SL (30 s queue) 3 / 6 = 50 %.
  t.match((await reports.inbound({ ...HOUR, queue: 'sales', shortAbandonSeconds: '0' })).total, { abandoned: 2, shortAbandoned: 0, serviceLevelPercent: 50 });
  // Threshold 2 s: c4 (3 s) is no longer short either.
  t.match((await reports.inbound({ ...HOUR, queue: 'sales', shortAbandonSeconds: 2 })).total, { abandoned: 2, shortAbandoned: 0 });
});

t.test('agent filter: the calls the agent answered', async (t) => {
  const reports = await setup(t);
  // ann: c1 (5 s, talk 120, wrap 30), c5 (30 s, talk 200, hold 15, wrap 10).
  const r = await reports.inbound({ ...HOUR, agent: 'ann' });
  t.match(r.total, { offered: 2, answered: 2, answeredWithinThreshold: 1, serviceLevelPercent: 50, avgSpeedOfAnswerSeconds: 17.5, avgTalkSeconds: 160, avgHoldSeconds: 7.5, avgWrapUpSeconds: 20 });
});

t.test('CSV: a header row, one line per bucket, then the total', async (t) => {
  const reports = await setup(t);
  const csv = reportCsv(await reports.inbound({ ...HOUR, queue: 'sales' }));
  t.equal(csv, [
    'row,start,end,offered,answered,abandoned,shortAbandoned,answeredWithinThreshold,serviceLevelPercent,avgSpeedOfAnswerSeconds,avgWaitSeconds,p90WaitSeconds,transferred,avgTalkSeconds,avgHoldSeconds,avgWrapUpSeconds,callbacksRequested,voicemailExits,otherExits',
    'bucket,2026-01-05T09:00:00+01:00,2026-01-05T09:30:00+01:00,4,2,1,1,2,66.67,7.5,19.5,60,1,90,0,15,0,0,0',
    'bucket,2026-01-05T09:30:00+01:00,2026-01-05T10:00:00+01:00,2,2,0,0,0,0,35,35,40,0,150,7.5,15,0,0,0',
    'total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,6,4,1,1,2,40,21.25,24.67,60,1,120,3.75,15,0,0,0',
    '',
  ].join('\r\n'));
  const empty = reportCsv(await reports.inbound({ ...HOUR, queue: 'nobody' }));
  t.match(empty.split('\r\n')[3], /^total,[^,]+,[^,]+,0,0,0,0,0,,,,,0,,,,0,0,0$/, 'averages of nothing are empty cells');
});

t.test('60-minute and day buckets sum to the same hour', async (t) => {
  const reports = await setup(t);
  const hourly = await reports.inbound({ ...HOUR, interval: '60m', queue: 'sales' });
  t.equal(hourly.rows.length, 1);
  t.same(hourly.rows[0]?.offered, 6);
  t.same(hourly.rows[0]?.serviceLevelPercent, 40);
  const daily = await reports.inbound({ from: '2026-01-05T00:00:00+01:00', to: '2026-01-06T00:00:00+01:00', interval: 'day', tz: 'Europe/Amsterdam', queue: 'sales' });
  // The whole day: c0 (short abandon 2 s, 08:59:59) and c9 (answered after 7 s, 10:00) join: offered 8, SL (2+1)/(8−2) = 50 %.
  t.match(daily.rows, [{ start: '2026-01-05T00:00:00+01:00', end: '2026-01-06T00:00:00+01:00', offered: 8, shortAbandoned: 2, answeredWithinThreshold: 3, serviceLevelPercent: 50 }]);
});
