// The desktop phone's call quality badge (agent-ui/src/web/phone/quality-rating.ts): what
// loss and jitter make a line good, fair or poor, from the cumulative WebRTC counters.
import t from 'tap';
import { rate, reading } from '../../../agent-ui/src/web/phone/quality-rating.js';

t.test('the thresholds: good up to 1 % and 30 ms, fair up to 5 % and 60 ms, poor beyond', async (t) => {
  t.equal(rate(0, 3), 'good');
  t.equal(rate(1, 30), 'good', 'the limits are still good');
  t.equal(rate(1.5, 10), 'fair', 'a little loss');
  t.equal(rate(0, 45), 'fair', 'some jitter');
  t.equal(rate(5, 60), 'fair');
  t.equal(rate(8, 10), 'poor', 'much loss');
  t.equal(rate(0, 90), 'poor', 'much jitter');
});

t.test('a reading covers the interval since the last sample, not the whole call', async (t) => {
  const first = reading(undefined, { packetsReceived: 100, packetsLost: 0, jitterSeconds: 0.004 });
  t.same(first, { lossPercent: 0, jitterMs: 4, level: 'good' });
  // 100 more packets expected in the interval, 10 of them lost: 10 %.
  const second = reading({ packetsReceived: 100, packetsLost: 0, jitterSeconds: 0.004 }, { packetsReceived: 190, packetsLost: 10, jitterSeconds: 0.004 });
  t.same(second, { lossPercent: 10, jitterMs: 4, level: 'poor' });
  // The loss is over: the next interval is good again though the call's total loss is not zero.
  const third = reading({ packetsReceived: 190, packetsLost: 10, jitterSeconds: 0.004 }, { packetsReceived: 290, packetsLost: 10, jitterSeconds: 0.004 });
  t.equal(third.level, 'good');
  t.equal(reading({ packetsReceived: 5, packetsLost: 0, jitterSeconds: 0 }, { packetsReceived: 5, packetsLost: 0, jitterSeconds: 0 }).lossPercent, 0, 'no packets: no loss figure');
});
