// What the monitor's "Refused outbound calls" panel is fed: a flood of refusals
// (a fraud attempt dialing premium numbers in a loop) keeps only the latest 50
// in memory, and today's count starts again at midnight in the reports' time zone.
import t from 'tap';
import { RecentRefusals } from '../../src/services/dialing/recent.js';

const refusal = (n: number) => ({
  number: `+1900555${String(n).padStart(4, '0')}`, class: 'premium-rate' as const, purpose: 'transfer' as const, reason: 'number-class' as const,
  detail: 'premium', trunk: null, callId: `c-${n}`, agent: 'ann',
});

t.test('a flood of refusals: the latest 50 listed newest first, all of them counted', async (t) => {
  let now = Date.parse('2026-03-02T09:00:00Z');
  const recent = new RecentRefusals(() => now, 'America/New_York');
  for (let n = 1; n <= 500; n++) {
    recent.add(refusal(n));
    now += 1000;
  }
  const live = recent.live();
  t.equal(live.refusedToday, 500, 'every refusal today is counted');
  t.same(live.refusedTodayByReason, { 'number-class': 500 }, 'by reason');
  t.equal(live.recent.length, RecentRefusals.keep, 'the list stays bounded');
  t.same([live.recent[0]?.callId, live.recent.at(-1)?.callId], ['c-500', 'c-451'], 'newest first, the oldest dropped');
});

t.test("today's count starts again at midnight in the reports' time zone", async (t) => {
  let now = Date.parse('2026-03-03T04:30:00Z'); // 23:30 on the 2nd in New York
  const recent = new RecentRefusals(() => now, 'America/New_York');
  recent.add(refusal(1));
  now = Date.parse('2026-03-03T04:59:00Z');
  t.equal(recent.live().refusedToday, 1, 'still the 2nd in New York');
  now = Date.parse('2026-03-03T05:01:00Z'); // 00:01 on the 3rd in New York
  t.equal(recent.live().refusedToday, 0, 'a new day in New York');
  t.equal(recent.live().recent.length, 1, "yesterday's refusal is still the latest one listed");
});
