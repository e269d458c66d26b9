// The compliance window: abandoned / live-answered over the last 30 days (or 24 h),
// and the stats estimator both the dialer and the simulator feed.

import t from 'tap';
import { AbandonTracker, PacingStatsEstimator, abandonWindowMs, buildPacingSnapshot, decidePacing } from '../../src/services/campaigns/pacing/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

t.test('30-day window: calls older than 30 days stop counting', async (t) => {
  const w = new AbandonTracker('30d');
  for (let i = 0; i < 97; i++) w.record(i * HOUR, false);
  for (let i = 0; i < 3; i++) w.record(DAY + i, true);
  t.same(w.counts(2 * DAY), { liveAnswered: 100, abandoned: 3 });
  t.equal(w.rate(2 * DAY), 0.03);
  // 30 days after the first call it leaves the window; the abandons (day 1) leave a day later.
  t.same(w.counts(30 * DAY), { liveAnswered: 99, abandoned: 3 });
  t.same(w.counts(31 * DAY + 10), { liveAnswered: 72, abandoned: 0 });
  t.same(w.counts(40 * DAY), { liveAnswered: 0, abandoned: 0 });
  t.equal(w.rate(40 * DAY), 0, 'no live answers: rate 0');
});

t.test('24-hour window (UK rule)', async (t) => {
  const w = new AbandonTracker('24h');
  t.equal(w.windowMs, abandonWindowMs['24h']);
  w.record(0, true);
  w.record(HOUR, false);
  t.same(w.counts(DAY - 1), { liveAnswered: 2, abandoned: 1 });
  t.same(w.counts(DAY + 1), { liveAnswered: 1, abandoned: 0 });
});

t.test('after a restart the window is rebuilt from recorded calls, in any order', async (t) => {
  const w = new AbandonTracker('30d', [
    { at: 5 * HOUR, abandoned: false },
    { at: 1 * HOUR, abandoned: true },
    { at: 3 * HOUR, abandoned: false },
  ]);
  t.same(w.counts(10 * HOUR), { liveAnswered: 3, abandoned: 1 });
  t.same(w.counts(30 * DAY + 2 * HOUR), { liveAnswered: 2, abandoned: 0 }, 'the oldest (the abandon) expired first');
  t.throws(() => new AbandonTracker(0), /positive duration/);
});

t.test('the stats estimator measures rates and times, and follows a drifting list', async (t) => {
  const e = new PacingStatsEstimator({ memory: 200 });
  t.equal(e.stats().attempts, 0);
  for (let i = 0; i < 1000; i++) {
    const r = i % 10;
    e.recordAttempt(r < 3 ? 'live' : r < 5 ? 'machine' : r < 6 ? 'busy' : 'no-answer', r < 5 ? 6000 + r * 1000 : undefined);
  }
  for (let i = 0; i < 50; i++) {
    e.recordTalk(150_000 + (i % 2) * 60_000);
    e.recordWrapUp(30_000);
  }
  const s = e.stats();
  t.equal(s.attempts, 1000);
  t.ok(Math.abs(s.liveAnswerRate - 0.3) < 0.03, `live ${s.liveAnswerRate}`);
  t.ok(Math.abs(s.machineRate - 0.2) < 0.03, `machine ${s.machineRate}`);
  t.ok(Math.abs(s.meanTimeToAnswerMs - 8000) < 500, `answer ${s.meanTimeToAnswerMs}`);
  t.ok(Math.abs(s.meanTalkMs - 180_000) < 5000, `talk ${s.meanTalkMs}`);
  t.ok(Math.abs((s.sdTalkMs ?? 0) - 30_000) < 5000, `talk sd ${s.sdTalkMs}`);
  t.equal(s.meanWrapUpMs, 30_000);
  // The list turns worse: after a few hundred attempts the rate follows.
  for (let i = 0; i < 600; i++) e.recordAttempt(i % 10 === 0 ? 'live' : 'no-answer');
  t.ok(Math.abs(e.stats().liveAnswerRate - 0.1) < 0.04, `drifted live ${e.stats().liveAnswerRate}`);
});

t.test('the snapshot builder feeds decidePacing from the estimator and the tracker', async (t) => {
  const stats = new PacingStatsEstimator();
  const abandons = new AbandonTracker('30d');
  const state = {
    now: 100_000,
    mode: 'predictive' as const,
    agentsReady: 3,
    agentsBusy: [{ state: 'wrap-up' as const, since: 90_000 }],
    callsDialing: 1,
    callsAnswering: 0,
    callsWaitingForAgent: 0,
  };
  // A fresh estimator (a restart): progressive, whatever the mode.
  const fresh = buildPacingSnapshot(state, { stats, abandons, abandonCap: 0.03, conservative: false });
  t.same(fresh.agentsBusy, [{ state: 'wrap-up', sinceMs: 10_000 }]);
  t.equal(decidePacing(fresh).dial, 2);
  t.match(decidePacing(fresh).reason, /learning/);
});
