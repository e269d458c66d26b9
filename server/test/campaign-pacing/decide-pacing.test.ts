// decidePacing as the dialer and its users see it: how many calls go out now.

import t from 'tap';
import fc from 'fast-check';
import { decidePacing, progressiveCalls, type DialMode, type PacingSnapshot } from '../../src/services/campaigns/pacing/index.js';
import { snapshot, talking, wrappingUp } from './snapshots.js';

const modes: DialMode[] = ['preview', 'progressive', 'predictive'];

t.test('no agents logged in: no calls in any mode', async (t) => {
  for (const mode of modes) {
    const d = decidePacing(snapshot({ mode, agentsReady: 0, agentsBusy: [] }));
    t.equal(d.dial, 0, mode);
  }
});

t.test('preview: the dialer places nothing (agents dial themselves)', async (t) => {
  const d = decidePacing(snapshot({ mode: 'preview', agentsReady: 10 }));
  t.equal(d.dial, 0);
  t.match(d.reason, /preview/);
});

t.test('progressive: one call per ready agent not already covered', async (t) => {
  t.equal(decidePacing(snapshot({ mode: 'progressive', agentsReady: 5 })).dial, 5);
  t.equal(decidePacing(snapshot({ mode: 'progressive', agentsReady: 5, callsDialing: 2, callsWaitingForAgent: 1 })).dial, 2);
  t.equal(decidePacing(snapshot({ mode: 'progressive', agentsReady: 2, callsDialing: 4 })).dial, 0, 'never negative');
  t.equal(decidePacing(snapshot({ mode: 'progressive', agentsReady: 3, callsAnswering: 1 })).dial, 2, 'calls in machine detection cover an agent too');
});

const arbitrarySnapshot = (mode: DialMode): fc.Arbitrary<PacingSnapshot> =>
  fc
    .record({
      ready: fc.integer({ min: 0, max: 40 }),
      busy: fc.array(fc.record({ state: fc.constantFrom('talking' as const, 'wrap-up' as const), sinceMs: fc.integer({ min: 0, max: 600_000 }) }), {
        maxLength: 40,
      }),
      dialing: fc.integer({ min: 0, max: 60 }),
      answering: fc.integer({ min: 0, max: 5 }),
      waiting: fc.integer({ min: 0, max: 5 }),
      live: fc.double({ min: 0.01, max: 0.9, noNaN: true }),
      machine: fc.double({ min: 0, max: 0.09, noNaN: true }),
      attempts: fc.integer({ min: 0, max: 100_000 }),
      liveAnswered: fc.integer({ min: 0, max: 50_000 }),
      abandonShare: fc.double({ min: 0, max: 0.1, noNaN: true }),
      conservative: fc.boolean(),
    })
    .map((r) =>
      snapshot(
        {
          mode,
          agentsReady: r.ready,
          agentsBusy: r.busy,
          callsDialing: r.dialing,
          callsAnswering: r.answering,
          callsWaitingForAgent: r.waiting,
          window: { liveAnswered: r.liveAnswered, abandoned: Math.floor(r.liveAnswered * r.abandonShare) },
          conservative: r.conservative,
        },
        { liveAnswerRate: r.live, machineRate: r.machine, attempts: r.attempts },
      ),
    );

t.test('progressive never places more calls than free agents (any state)', async (t) => {
  fc.assert(
    fc.property(arbitrarySnapshot('progressive'), (s) => {
      const d = decidePacing(s);
      return d.dial >= 0 && Number.isInteger(d.dial) && d.dial + s.callsDialing + s.callsWaitingForAgent + (s.callsAnswering ?? 0) <= Math.max(s.agentsReady, s.callsDialing + s.callsWaitingForAgent + (s.callsAnswering ?? 0));
    }),
  );
  t.pass('property held');
});

t.test('predictive at or above the cap: never more calls than free agents (any state)', async (t) => {
  fc.assert(
    fc.property(arbitrarySnapshot('predictive'), fc.double({ min: 1, max: 3, noNaN: true }), (base, over) => {
      const liveAnswered = Math.max(1, base.window.liveAnswered);
      const s = { ...base, window: { liveAnswered, abandoned: Math.ceil(liveAnswered * base.abandonCap * over) } };
      return decidePacing(s).dial === progressiveCalls(s);
    }),
  );
  t.pass('property held');
});

t.test('predictive never places fewer calls than progressive, and never a negative or fractional number', async (t) => {
  fc.assert(
    fc.property(arbitrarySnapshot('predictive'), (s) => {
      const d = decidePacing(s);
      return Number.isInteger(d.dial) && d.dial >= progressiveCalls(s);
    }),
  );
  t.pass('property held');
});

t.test('predictive dials more than progressive at a low answer rate', async (t) => {
  const s = snapshot({ agentsReady: 4, agentsBusy: talking(16) }, { liveAnswerRate: 0.15 });
  const progressive = decidePacing({ ...s, mode: 'progressive' });
  const predictive = decidePacing(s);
  t.equal(progressive.dial, 4);
  t.ok(predictive.dial >= 2 * progressive.dial, `predictive ${predictive.dial} vs progressive ${progressive.dial}: ${predictive.reason}`);
  t.match(predictive.reason, /^predictive: 4 ready/);
});

t.test('predictive dials ahead for agents about to finish their wrap-up, not for those just starting it', async (t) => {
  const base = { agentsReady: 0 };
  const early = decidePacing(snapshot({ ...base, agentsBusy: wrappingUp(10, 1000) }));
  const late = decidePacing(snapshot({ ...base, agentsBusy: wrappingUp(10, 28_000) }));
  const talkingEarly = decidePacing(snapshot({ ...base, agentsBusy: talking(10, 5000) }));
  t.equal(talkingEarly.dial, 0, 'agents just into their calls: nothing to dial for');
  t.ok(late.dial > early.dial, `late in wrap-up ${late.dial} > early ${early.dial}`);
  t.ok(late.dial > 0);
});

t.test('a lower answer rate means more calls for the same agents', async (t) => {
  const at = (liveAnswerRate: number): number => decidePacing(snapshot({ agentsReady: 5, agentsBusy: talking(15) }, { liveAnswerRate })).dial;
  t.ok(at(0.15) > at(0.3), `${at(0.15)} > ${at(0.3)}`);
  t.ok(at(0.3) > at(0.6), `${at(0.3)} > ${at(0.6)}`);
});

t.test('the governor slows down as the window nears the cap, and stops predictive dialing at it', async (t) => {
  const at = (abandoned: number) => decidePacing(snapshot({ agentsReady: 5, agentsBusy: talking(15), window: { liveAnswered: 10_000, abandoned } }, { liveAnswerRate: 0.2 }));
  const relaxed = at(100); // 1%
  const near = at(280); // 2.8%: past the slowdown point
  const capped = at(300); // 3%: at the cap
  t.ok(relaxed.dial > near.dial, `1%: ${relaxed.dial} > 2.8%: ${near.dial}`);
  t.equal(capped.dial, 5, 'at the cap: one call per ready agent');
  t.match(capped.reason, /cap/);
});

t.test('a young window with no room for an abandon stays progressive', async (t) => {
  const d = decidePacing(snapshot({ agentsReady: 5, agentsBusy: talking(15), window: { liveAnswered: 20, abandoned: 0 } }, { liveAnswerRate: 0.2 }));
  t.equal(d.dial, 5);
});

t.test('conservative after a restart, and while too few attempts are measured: progressive', async (t) => {
  const s = snapshot({ agentsReady: 5, agentsBusy: talking(15) }, { liveAnswerRate: 0.15 });
  t.ok(decidePacing(s).dial > 5, 'predictive normally');
  const restarted = decidePacing({ ...s, conservative: true });
  t.equal(restarted.dial, 5);
  t.match(restarted.reason, /conservative/);
  const young = decidePacing({ ...s, stats: { ...s.stats, attempts: 20 } });
  t.equal(young.dial, 5);
  t.match(young.reason, /learning/);
});

t.test('calls already dialing count: a second decision right after the first adds nothing', async (t) => {
  const s = snapshot({ agentsReady: 5, agentsBusy: talking(15) }, { liveAnswerRate: 0.2 });
  const first = decidePacing(s);
  const second = decidePacing({ ...s, callsDialing: first.dial });
  t.equal(second.dial, 0, `first placed ${first.dial}`);
});

t.test('a line limit caps the calls in flight', async (t) => {
  const s = snapshot({ agentsReady: 10, agentsBusy: talking(10) }, { liveAnswerRate: 0.1 });
  t.ok(decidePacing(s).dial > 12);
  t.equal(decidePacing(s, { maxLines: 12 }).dial, 12);
});
