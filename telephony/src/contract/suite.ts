// The shared contract test suite: every telephony driver runs it with its own
// harness (see harness.ts). Each case starts from a fresh harness and ends by
// proving the driver is back to its idle resource counts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OriginateError, type Call, type HangupCause, type IncomingCall } from '../driver.js';
import type { DriverHarness, PeerCall } from './harness.js';
import { readWavHeader } from '../audio/index.js';

/** The slice of a tap test the suite uses, so the suite does not depend on a test runner. */
export interface ContractTest {
  test(name: string, fn: (t: ContractTest) => Promise<void>): unknown;
  ok(value: unknown, message?: string): unknown;
  equal(found: unknown, wanted: unknown, message?: string): unknown;
  same(found: unknown, wanted: unknown, message?: string): unknown;
  teardown(fn: () => unknown): unknown;
}

export interface ContractOptions {
  createHarness(): Promise<DriverHarness>;
  /** Case names this driver cannot pass yet, each listed with the reason in the driver's docs. */
  skip?: string[];
}

const WAIT = 10_000;

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nextIncoming(h: DriverHarness, timeoutMs = WAIT): Promise<IncomingCall> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      h.driver.off('incoming', onIncoming);
      reject(new Error('no incoming call'));
    }, timeoutMs);
    const onIncoming = (incoming: IncomingCall): void => {
      clearTimeout(timer);
      h.driver.off('incoming', onIncoming);
      resolve(incoming);
    };
    h.driver.on('incoming', onIncoming);
  });
}

function hangupOf(call: Call, timeoutMs = WAIT): Promise<HangupCause> {
  if (call.hangupCause) return Promise.resolve(call.hangupCause);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`call ${call.id} did not end`)), timeoutMs);
    call.once('hangup', (cause) => {
      clearTimeout(timer);
      resolve(cause);
    });
  });
}

/** A peer calls the driver and the driver answers: the common start of most cases. */
async function answeredInbound(h: DriverHarness): Promise<{ call: Call; peer: PeerCall }> {
  const incoming = nextIncoming(h);
  const peer = await h.peer.call({ from: '+15550100', to: '5000', as: 'unknown' });
  const { call } = await incoming;
  await call.answer();
  await peer.waitAnswered(WAIT);
  return { call, peer };
}

/** Resource counts with nothing going on, taken right after start. */
function idleSnapshot(h: DriverHarness): Record<string, number> {
  return { ...h.driver.stats().resources };
}

async function expectIdle(t: ContractTest, h: DriverHarness, idle: Record<string, number>): Promise<void> {
  const settled = (): boolean => {
    const s = h.driver.stats();
    return s.activeCalls === 0 && s.activeBridges === 0
      && Object.entries(s.resources).every(([k, v]) => v <= (idle[k] ?? 0));
  };
  try {
    // Transactions linger for their wait timers (Timer J/K) in some engines: allow for it.
    await waitUntil(settled, 40_000, 'driver back to idle');
  } catch {
    // Fall through: the assertion below shows which counter leaked.
  }
  const s = h.driver.stats();
  t.same({ calls: s.activeCalls, bridges: s.activeBridges }, { calls: 0, bridges: 0 }, 'no calls or bridges left');
  for (const [k, v] of Object.entries(s.resources)) t.ok(v <= (idle[k] ?? 0), `resource ${k} back to ${idle[k] ?? 0} (is ${v})`);
}

type Case = (t: ContractTest, h: DriverHarness) => Promise<void>;

const cases: Record<string, Case> = {
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

  'early media: prompts play before answer': async (t, h) => {
    const incoming = nextIncoming(h);
    const peer = await h.peer.call({ from: '+15550104', to: '5004', as: 'unknown' });
    const { call } = await incoming;
    await call.ring({ earlyMedia: true });
    t.equal(call.state, 'early');
    await peer.waitRinging(WAIT);
    t.same(await call.play({ prompts: [await h.promptFile(800)] }), { reason: 'done' });
    await waitUntil(() => peer.heardToneMs() >= 500, 3000, 'early media heard').catch(() => undefined);
    t.ok(peer.heardToneMs() >= 500, `caller heard the prompt before answer (${peer.heardToneMs()} ms)`);
    t.ok(!peer.answered, 'not answered yet');
    await call.answer();
    await peer.waitAnswered(WAIT);
    await call.hangup();
  },

  'play completes and the caller hears it': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const prompt = await h.promptFile(1000);
    const result = await call.play({ prompts: [prompt] });
    t.same(result, { reason: 'done' });
    await waitUntil(() => peer.heardToneMs() >= 700, 3000, 'prompt heard').catch(() => undefined);
    t.ok(peer.heardToneMs() >= 700, `caller heard the prompt (${peer.heardToneMs()} ms)`);
    await call.hangup();
  },

  'play is interrupted by a digit': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const prompt = await h.promptFile(8000);
    const started = Date.now();
    const playing = call.play({ prompts: [prompt], interruptOn: true });
    await new Promise((r) => setTimeout(r, 500));
    await peer.sendDigits('5');
    const result = await playing;
    t.same(result, { reason: 'dtmf', digit: '5' });
    t.ok(Date.now() - started < 6000, 'stopped well before the prompt ended');
    await call.hangup();
  },

  'play stops when the call ends': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const playing = call.play({ prompts: [await h.promptFile(8000)] });
    await new Promise((r) => setTimeout(r, 300));
    await peer.hangup();
    t.same(await playing, { reason: 'hangup' });
  },

  'collectDigits: max digits, terminator, timeouts': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const dtmf: string[] = [];
    call.on('dtmf', (d) => dtmf.push(d));

    const max = call.collectDigits({ maxDigits: 3, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 4000 });
    await peer.sendDigits('1234');
    t.same(await max, { digits: '123', reason: 'max-digits' });

    await new Promise((r) => setTimeout(r, 300)); // let the stray '4' arrive before the next collection
    const term = call.collectDigits({ maxDigits: 10, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 4000, terminators: '#' });
    await peer.sendDigits('42#');
    t.same(await term, { digits: '42', reason: 'terminator' });

    const first = await call.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 400, interDigitTimeoutMs: 400 });
    t.same(first, { digits: '', reason: 'timeout' }, 'nothing pressed');

    const inter = call.collectDigits({ maxDigits: 4, firstDigitTimeoutMs: 8000, interDigitTimeoutMs: 700 });
    await peer.sendDigits('7');
    t.same(await inter, { digits: '7', reason: 'timeout' }, 'one digit then silence');
    t.same(dtmf.join(''), '123442#7', 'every digit raised a dtmf event');
    await call.hangup();
  },

  'record writes a WAV of the right length': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    peer.startTone();
    const file = join(h.tmpDir, `rec-${Date.now()}.wav`);
    const result = await call.record({ file, maxSeconds: 2 });
    peer.stopTone();
    t.equal(result.reason, 'max-length');
    t.equal(result.file, file);
    const info = readWavHeader(await readFile(file));
    t.ok(Math.abs(info.durationMs - 2000) <= 400, `file lasts ~2 s (${Math.round(info.durationMs)} ms)`);
    t.ok(Math.abs(result.durationMs - info.durationMs) <= 400, 'reported duration matches the file');

    const keyFile = join(h.tmpDir, `rec-key-${Date.now()}.wav`);
    const keyed = call.record({ file: keyFile, maxSeconds: 20, stopKeys: '#' });
    await new Promise((r) => setTimeout(r, 800));
    await peer.sendDigits('#');
    const keyResult = await keyed;
    t.equal(keyResult.reason, 'key');
    t.equal(keyResult.key, '#');
    await call.hangup();
  },

  'detectAnsweringMachine: silence is unknown, a steady tone is a machine, abort and hangup end it': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    const quiet = await call.detectAnsweringMachine({ initialSilenceMs: 600, maxWaitMs: 5000 });
    t.same([quiet.result, quiet.reason], ['unknown', 'initial-silence'], 'the peer sends silence: nobody answered with a voice');
    peer.startTone();
    const toned = await call.detectAnsweringMachine({ maxWaitMs: 8000 });
    peer.stopTone();
    t.equal(toned.result, 'machine', `a steady tone is a machine (${toned.reason})`);
    const abort = new AbortController();
    const aborted = call.detectAnsweringMachine({ signal: abort.signal, initialSilenceMs: 20_000, maxWaitMs: 20_000 });
    abort.abort();
    t.same((await aborted).reason, 'stopped');
    const cut = call.detectAnsweringMachine({ initialSilenceMs: 20_000, maxWaitMs: 20_000 });
    await peer.hangup();
    t.same(await cut.then((r) => [r.result, r.reason]), ['unknown', 'hangup'], 'the far end hung up during detection');
  },

  'bridge carries audio both ways, unbridge stops it': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const bridge = await h.driver.bridge(a.call, b.call);
    t.equal(h.driver.stats().activeBridges, 1);
    a.peer.startTone();
    b.peer.startTone();
    await waitUntil(() => a.peer.heardToneMs() > 500 && b.peer.heardToneMs() > 500, WAIT, 'audio both ways').catch(() => undefined);
    t.ok(b.peer.heardToneMs() > 500, `b hears a (${b.peer.heardToneMs()} ms)`);
    t.ok(a.peer.heardToneMs() > 500, `a hears b (${a.peer.heardToneMs()} ms)`);
    await bridge.unbridge();
    await bridge.unbridge();
    t.equal(h.driver.stats().activeBridges, 0);
    await new Promise((r) => setTimeout(r, 300));
    const heard = b.peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 800));
    t.ok(b.peer.heardToneMs() - heard < 200, 'no audio after unbridge');
    t.equal(a.call.state, 'answered', 'both calls stay up');
    a.peer.stopTone();
    b.peer.stopTone();
    await a.call.hangup();
    await b.call.hangup();
  },

  'a bridged call ending ends the bridge': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const ended = hangupOf(a.call);
    await a.peer.hangup();
    t.equal(await ended, 'normal');
    await waitUntil(() => h.driver.stats().activeBridges === 0, WAIT, 'bridge released').catch(() => undefined);
    t.equal(h.driver.stats().activeBridges, 0);
    t.equal(b.call.state, 'answered', 'the other side stays up for the application to decide');
    await b.call.hangup();
  },

  'hold and unhold': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    await call.hold({ music: await h.promptFile(3000) });
    await waitUntil(() => peer.heldByDriver, WAIT, 'peer held').catch(() => undefined);
    t.ok(peer.heldByDriver, 'the far end was put on hold');
    await waitUntil(() => peer.heardToneMs() > 300, WAIT, 'music heard').catch(() => undefined);
    t.ok(peer.heardToneMs() > 300, 'the held party hears music');
    await call.unhold();
    await waitUntil(() => !peer.heldByDriver, WAIT, 'peer resumed').catch(() => undefined);
    t.ok(!peer.heldByDriver, 'taken off hold');
    await call.hangup();
  },

  'hold while bridged: the held side hears music, the other side hears nothing': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    b.peer.startTone();
    await waitUntil(() => a.peer.heardToneMs() > 300, WAIT, 'a hears b').catch(() => undefined);
    t.ok(a.peer.heardToneMs() > 300, 'bridged audio flows before hold');
    await b.call.hold({ music: await h.promptFile(3000) });
    await waitUntil(() => b.peer.heldByDriver, WAIT, 'b held').catch(() => undefined);
    t.ok(b.peer.heldByDriver, 'b was put on hold');
    await new Promise((r) => setTimeout(r, 300));
    const heardByA = a.peer.heardToneMs();
    const heardByB = b.peer.heardToneMs();
    await new Promise((r) => setTimeout(r, 1000));
    t.ok(a.peer.heardToneMs() - heardByA < 200, 'a no longer hears b');
    t.ok(b.peer.heardToneMs() - heardByB > 500, 'b hears music');
    await b.call.unhold();
    await waitUntil(() => a.peer.heardToneMs() - heardByA > 300, WAIT, 'a hears b again').catch(() => undefined);
    t.ok(a.peer.heardToneMs() - heardByA > 300, 'relay resumes after unhold');
    b.peer.stopTone();
    await a.call.hangup();
    await b.call.hangup();
  },

  'originate: answered, busy, no-answer, unreachable': async (t, h) => {
    const answered = await h.driver.originate(h.peer.target({ kind: 'answer' }), { callerId: { number: '+15550199' }, timeoutMs: WAIT });
    t.equal(answered.state, 'answered');
    t.equal(answered.direction, 'outbound');
    t.equal(answered.from.number, '+15550199');
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
    await remote.waitRinging(WAIT).catch(() => undefined);
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

  'monitor: a listener hears both sides': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const sup = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const monitor = await h.driver.monitor(a.call, sup.call, 'listen');
    t.equal(monitor.mode, 'listen');
    a.peer.startTone();
    await waitUntil(() => sup.peer.heardToneMs() > 300, WAIT, 'supervisor hears').catch(() => undefined);
    t.ok(sup.peer.heardToneMs() > 300, 'the supervisor hears the call');
    await monitor.stop();
    a.peer.stopTone();
    for (const leg of [a, b, sup]) await leg.call.hangup();
  },

  'monitor: a whisper reaches only the monitored side': async (t, h) => {
    const a = await answeredInbound(h);
    const b = await answeredInbound(h);
    const sup = await answeredInbound(h);
    await h.driver.bridge(a.call, b.call);
    const monitor = await h.driver.monitor(a.call, sup.call, 'listen');
    sup.peer.startTone();
    await new Promise((r) => setTimeout(r, 800));
    t.ok(a.peer.heardToneMs() < 200, 'listen mode: nobody hears the supervisor');
    await monitor.setMode('whisper');
    t.equal(monitor.mode, 'whisper');
    await waitUntil(() => a.peer.heardToneMs() > 400, WAIT, 'whisper heard').catch(() => undefined);
    t.ok(a.peer.heardToneMs() > 400, 'the monitored side hears the whisper');
    t.ok(b.peer.heardToneMs() < 200, 'the other side does not');
    await monitor.stop();
    sup.peer.stopTone();
    for (const leg of [a, b, sup]) await leg.call.hangup();
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

export const CONTRACT_CASES: readonly string[] = Object.keys(cases);

export async function runDriverContract(t: ContractTest, opts: ContractOptions): Promise<void> {
  const skip = new Set(opts.skip ?? []);
  for (const [name, run] of Object.entries(cases)) {
    if (skip.has(name)) continue;
    await t.test(name, async (t) => {
      const h = await opts.createHarness();
      t.teardown(() => h.close());
      const idle = idleSnapshot(h);
      await run(t, h);
      await expectIdle(t, h, idle);
    });
  }
}
