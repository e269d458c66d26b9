// Contract cases about calls themselves: incoming and outgoing, refused,
// hung up by either side, transferred, timed out, and the driver's shutdown.
import { OriginateError } from '../driver.js';
import { WAIT, answeredInbound, hangupOf, nextIncoming, tolerate, type Case } from './steps.js';

export const callCases: Record<string, Case> = {
  'incoming call carries from, to, source and headers': async (t, h) => {
    const incoming = nextIncoming(h);
    const peer = await h.peer.call({ from: '+15550101', to: '5001', as: 'trunk', headers: { 'X-Campaign': 'spring' } });
    const inc = await incoming;
    t.equal(inc.call.direction, 'inbound');
    t.equal(inc.call.from.number, '+15550101');
    t.equal(inc.call.to.number, '5001');
    t.same(inc.source, h.trunkSource);
    t.equal(inc.headers['x-campaign'], 'spring', 'custom headers reach the application, names lower-cased');
    t.equal(inc.call.state, 'ringing');
    await inc.call.ring();
    await peer.waitRinging(WAIT);
    await inc.call.answer();
    await peer.waitAnswered(WAIT);
    t.equal(inc.call.state, 'answered');
    await inc.call.hangup();
    t.same(await peer.waitEnded(WAIT), { by: 'driver' });
    t.equal(inc.call.hangupCause, 'normal');
    t.equal(inc.call.state, 'ended');
  },

  'reject with a cause reaches the caller': async (t, h) => {
    for (const cause of ['busy', 'rejected'] as const) {
      const incoming = nextIncoming(h);
      const peer = await h.peer.call({ from: '+15550102', to: '5002', as: 'unknown' });
      const { call } = await incoming;
      const ended = hangupOf(call);
      await call.reject(cause);
      t.same(await peer.waitEnded(WAIT), { by: 'driver', refused: cause }, `caller told ${cause}`);
      t.equal(await ended, cause);
    }
  },

  'caller hangs up: normal after answer, cancelled while ringing': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const ended = hangupOf(call);
    await peer.hangup();
    t.equal(await ended, 'normal');

    const incoming = nextIncoming(h);
    const ringing = await h.peer.call({ from: '+15550103', to: '5003', as: 'unknown' });
    const inc = await incoming;
    await inc.call.ring();
    await ringing.waitRinging(WAIT);
    const cancelled = hangupOf(inc.call);
    await ringing.hangup();
    t.equal(await cancelled, 'cancelled');
    t.equal(inc.call.state, 'ended');
  },

  'originate: answered, busy, no-answer, unreachable': async (t, h) => {
    const answered = await h.driver.originate(h.peer.target({ kind: 'answer' }), { callerId: { number: '+15550199' }, timeoutMs: WAIT });
    t.equal(answered.state, 'answered');
    t.equal(answered.direction, 'outbound');
    t.equal(answered.from.number, '+15550199');
    t.equal(answered.to.number, 'answer', 'to: the user of the address dialed');
    const remote = await h.peer.nextCall(WAIT);
    t.ok(remote.answered);
    const ended = hangupOf(answered);
    await remote.hangup();
    t.equal(await ended, 'normal');

    for (const [mode, cause] of [[{ kind: 'busy' }, 'busy'], [{ kind: 'decline' }, 'rejected'], [{ kind: 'ring' }, 'no-answer']] as const) {
      const err = await h.driver.originate(h.peer.target(mode), { timeoutMs: 1500 }).then(() => undefined, (e: unknown) => e);
      t.ok(err instanceof OriginateError, `${mode.kind}: OriginateError`);
      t.equal(err instanceof OriginateError ? err.hangupCause : undefined, cause);
      const placed = await h.peer.nextCall(WAIT);
      if (mode.kind === 'ring') {
        t.same(await placed.waitEnded(WAIT), { by: 'driver', refused: 'cancelled' }, 'the unanswered call was cancelled');
      } else {
        t.same(await placed.waitEnded(WAIT), { by: 'peer' }, `the peer refused (${mode.kind})`);
      }
    }
    const err = await h.driver.originate(h.peer.unreachableTarget(), { timeoutMs: 3000 }).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof OriginateError && ['unreachable', 'failed', 'no-answer'].includes(err.hangupCause), 'unreachable target fails');
  },

  'originate can be aborted': async (t, h) => {
    const controller = new AbortController();
    const placing = h.driver.originate(h.peer.target({ kind: 'ring' }), { timeoutMs: WAIT, signal: controller.signal });
    const remote = await h.peer.nextCall(WAIT);
    await tolerate(t, remote.waitRinging(WAIT));
    controller.abort();
    const err = await placing.then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof OriginateError && err.hangupCause === 'cancelled', 'aborted originate rejects with cancelled');
    t.same(await remote.waitEnded(WAIT), { by: 'driver', refused: 'cancelled' });
  },

  'the driver hangs up an originated call': async (t, h) => {
    const call = await h.driver.originate(h.peer.target({ kind: 'answer' }), { timeoutMs: WAIT });
    const remote = await h.peer.nextCall(WAIT);
    await call.hangup();
    t.same(await remote.waitEnded(WAIT), { by: 'driver' });
    t.equal(call.hangupCause, 'normal');
  },

  'media timeout hangs up': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    let timedOut = false;
    call.on('mediaTimeout', () => { timedOut = true; });
    peer.setMediaFlowing(false);
    const cause = await hangupOf(call, h.mediaTimeoutMs + WAIT);
    t.ok(timedOut, 'mediaTimeout raised');
    t.equal(cause, 'media-timeout');
    t.same(await peer.waitEnded(WAIT), { by: 'driver' });
  },

  'blind transfer ends the call as transferred': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const ended = hangupOf(call);
    await call.transfer('5999');
    t.equal(await ended, 'transferred');
    t.ok(peer.transferTarget?.includes('5999'), 'the far end was told where to go');
  },

  'refuseNewCalls: new calls are refused, calls in progress go on': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    h.driver.refuseNewCalls();
    const late = await h.peer.call({ from: '+15550101', to: '5000', as: 'unknown' });
    t.same(await late.waitEnded(WAIT), { by: 'driver', refused: 'unreachable' }, 'a new incoming call is refused');
    const err = await h.driver.originate(h.peer.target({ kind: 'answer' })).catch((e: unknown) => e);
    t.ok(err instanceof OriginateError && err.hangupCause === 'unreachable', 'originate is refused');
    t.equal(call.state, 'answered', 'the call in progress goes on');
    const heard = hangupOf(call);
    await peer.hangup();
    t.equal(await heard, 'normal');
  },

  'stop hangs up every call with server-shutdown': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const ended = hangupOf(call);
    await h.driver.stop();
    t.equal(await ended, 'server-shutdown');
    t.same(await peer.waitEnded(WAIT), { by: 'driver' });
    t.equal(h.driver.stats().activeCalls, 0);
  },
};
