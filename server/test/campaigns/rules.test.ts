// Calling windows in the callee's time zone (fixed instants), time zones from
// numbers, retry rules per outcome, the 72-hour abandon block, ring time >= 15 s.
import t from 'tap';
import { zoneOfNumber } from '../../src/services/campaigns/lists/zones.js';
import { campaignFromInput } from '../../src/services/campaigns/model.js';
import { nextStep } from '../../src/services/campaigns/retry.js';
import { insideWindow, localTime } from '../../src/services/campaigns/window.js';
import { isTenorError } from '../../src/core/errors.js';

const base = { mode: 'progressive', target: { list: 'l' }, queue: 'q', callerId: '+4930100' };

t.test('the same instant is inside the window in Berlin and outside in Los Angeles', async (t) => {
  const window = { from: '09:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const };
  const at = Date.parse('2026-03-04T10:00:00Z'); // Wednesday: 11:00 in Berlin, 02:00 in Los Angeles
  t.same(localTime(at, 'Europe/Berlin'), { day: 'wed', hhmm: '11:00' });
  t.ok(insideWindow(at, 'Europe/Berlin', { ...window, days: [...window.days] }));
  t.notOk(insideWindow(at, 'America/Los_Angeles', { ...window, days: [...window.days] }));
  const evening = Date.parse('2026-03-04T20:30:00Z'); // 21:30 Berlin (closed), 12:30 LA (open)
  t.notOk(insideWindow(evening, 'Europe/Berlin', { ...window, days: [...window.days] }), 'to is exclusive');
  t.ok(insideWindow(evening, 'America/Los_Angeles', { ...window, days: [...window.days] }));
  const saturday = Date.parse('2026-03-07T12:00:00Z');
  t.notOk(insideWindow(saturday, 'Europe/Berlin', { ...window, days: [...window.days] }), 'a day not listed');
});

t.test('time zones come from the country, or the area code in multi-zone countries', async (t) => {
  t.same(zoneOfNumber('+4930123456'), { zone: 'Europe/Berlin' });
  t.same(zoneOfNumber('+12125550100'), { zone: 'America/New_York' });
  t.same(zoneOfNumber('+14155550100'), { zone: 'America/Los_Angeles' });
  t.match(zoneOfNumber('+12705550100'), { zone: undefined, reason: /several time zones.*time-zone column/ });
});

t.test('retry rules per outcome, max attempts, abandoned numbers wait 72 h', async (t) => {
  const def = campaignFromInput('c', { ...base, maxAttempts: 3, retry: { busy: { retry: true, delayMinutes: 5 }, machine: { retry: false, delayMinutes: 0 } } });
  const at = 1_000_000;
  t.same(nextStep(def, 'busy', 1, at), { state: 'pending', nextDueAt: at + 5 * 60_000 }, 'busy: 5 minutes later');
  t.same(nextStep(def, 'no-answer', 1, at), { state: 'pending', nextDueAt: at + 60 * 60_000 }, 'no-answer: the default hour');
  t.same(nextStep(def, 'machine', 1, at), { state: 'done' }, 'machine: not retried');
  t.same(nextStep(def, 'busy', 3, at), { state: 'done' }, 'no attempts left');
  t.same(nextStep(def, 'answered-human', 1, at), { state: 'done' });
  t.same(nextStep(def, 'abandoned', 1, at), { state: 'pending', nextDueAt: at + 72 * 3_600_000 });
});

t.test('a ring time under 15 s is refused', async (t) => {
  const err = (() => {
    try {
      campaignFromInput('c', { ...base, ringTimeSeconds: 10 });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(isTenorError(err, 'TENOR_ERR_CAMPAIGN_RING_TIME'), 'TENOR_ERR_CAMPAIGN_RING_TIME');
  t.equal(campaignFromInput('c', { ...base, ringTimeSeconds: 15 }).ringTimeSeconds, 15);
});
