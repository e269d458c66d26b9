// The real ACD (in-memory telephony driver, simulated clock, real SQLite
// file) handles calls; the reports then count them from what it stored.

import t from 'tap';
import { Reports } from './wiring.js';
import { agentProfile, queue } from '../acd/fixtures.js';
import { settle, startAcd } from '../acd/harness.js';

const S = 1000;

t.test("a call the ACD answered and one abandoned show in today's reports", async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { wrapUpSeconds: 15 })], agents: [agentProfile('ann', ['sales'])] });
  const reports = new Reports({ db: h.db, acd: h.engine, now: () => h.clock.now() });
  await h.engine.login('ann');
  await h.clock.advance(10 * S);

  // Caller 1 waits 4 s for ann, talks 60 s; ann wraps up 15 s.
  const first = h.driver.caller('+31205550001');
  const served = h.engine.enqueueCall(first, { queue: 'sales' });
  await settle();
  await h.clock.advance(4 * S);
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  await h.clock.advance(60 * S);
  first.farEndHangup();
  t.same(await served, { result: 'connected', agent: 'ann' });
  // Caller 2 arrives while ann wraps up and hangs up after 30 s.
  const second = h.driver.caller('+31205550002');
  const gone = h.engine.enqueueCall(second, { queue: 'sales' });
  await settle();
  await h.clock.advance(30 * S);
  second.farEndHangup();
  t.match(await gone, { result: 'abandoned' });
  await h.clock.advance(60 * S);
  await h.engine.flush();

  const inbound = await reports.inbound({ period: 'today', tz: 'UTC', interval: 'day' });
  t.match(inbound.total, {
    offered: 2, answered: 1, abandoned: 1, shortAbandoned: 0, answeredWithinThreshold: 1, serviceLevelPercent: 50,
    avgSpeedOfAnswerSeconds: 4, avgWaitSeconds: 17, avgTalkSeconds: 60, avgWrapUpSeconds: 15, avgHoldSeconds: 0,
  });
  const agents = await reports.agents({ period: 'today', tz: 'UTC', interval: 'day' });
  // ann, up to now (the rest of today is not counted): ready 0–10, ringing 10–14, on call 14–74, wrap-up 74–89,
  // ringing again for caller 2 89–104 (withdrawn when they hang up), ready 104–164.
  t.match(agents.byAgent, [{ agent: 'ann', loggedInSeconds: 164, readySeconds: 70, offeredSeconds: 19, onCallSeconds: 60, wrapUpSeconds: 15, callsHandled: 1 }]);
});
