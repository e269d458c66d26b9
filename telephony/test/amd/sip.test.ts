// Answering-machine detection over real SIP and RTP: the embedded engine
// originates to a SIPp callee that answers and streams a recorded greeting
// from the committed corpus (peers/greeting-callee.ts), and
// call.detectAnsweringMachine() listens to the decoded inbound audio.
import t, { type Test } from 'tap';
import { startGreetingCallee, corpusGreeting } from '../peers/greeting-callee.js';
import { describeSipp, type SippProcess } from '../peers/sipp.js';
import { assertNoLeaks, startEngine, type TestEngine } from '../interop/engine.js';
import type { Call } from '../../src/driver.js';

async function dial(t: Test, greeting: string): Promise<{ engine: TestEngine; callee: SippProcess; call: Call }> {
  const callee = await startGreetingCallee({ greeting: corpusGreeting(greeting), ringMs: 300 });
  t.teardown(() => callee.stop(500));
  const engine = await startEngine(t);
  const call = await engine.driver.originate(
    { kind: 'address', address: `sip:+15550100@127.0.0.1:${callee.port}` },
    { timeoutMs: 10_000, callerId: { number: '+15550999' } },
  );
  return { engine, callee, call };
}

t.test('GIVEN a callee whose answering machine plays its message WHEN we detect after answer THEN machine, before the message ends', async (t) => {
  const { engine, callee, call } = await dial(t, 'machine-en-reached-1');
  const r = await call.detectAnsweringMachine();
  t.equal(r.result, 'machine', JSON.stringify(r));
  t.ok(r.reason === 'long-greeting' || r.reason === 'beep', `reason ${r.reason}`);
  t.ok(r.durationMs < 4400, `decided in ${r.durationMs} ms, while the 4.4 s message still plays`);
  await call.hangup();
  const done = await callee.done;
  t.equal(done.code, 0, describeSipp(done));
  await assertNoLeaks(t, engine);
});

t.test('GIVEN a person who says "Hello?" and waits WHEN we detect after answer THEN human, within 1.5 s of their greeting ending', async (t) => {
  // human-en-hello-1: 400 ms of line, "Hello?" until 791 ms, then the line only
  const { engine, callee, call } = await dial(t, 'human-en-hello-1');
  const r = await call.detectAnsweringMachine();
  t.equal(r.result, 'human', JSON.stringify(r));
  t.equal(r.reason, 'short-greeting-then-silence');
  t.ok(r.durationMs - 791 <= 1500, `decided ${r.durationMs - 791} ms after "Hello?" ended`);
  await call.hangup();
  const done = await callee.done;
  t.equal(done.code, 0, describeSipp(done));
  await assertNoLeaks(t, engine);
});

t.test('GIVEN detection in progress WHEN we abort it or hang up THEN it resolves unknown (hangup / stopped) at once', async (t) => {
  const { engine, callee, call } = await dial(t, 'silence-line-1');
  const abort = new AbortController();
  const pending = call.detectAnsweringMachine({ signal: abort.signal, maxWaitMs: 20_000, initialSilenceMs: 20_000 });
  setTimeout(() => abort.abort(), 300);
  const stopped = await pending;
  t.same([stopped.result, stopped.reason], ['unknown', 'stopped']);
  const second = call.detectAnsweringMachine({ maxWaitMs: 20_000, initialSilenceMs: 20_000 });
  await call.hangup();
  const ended = await second;
  t.same([ended.result, ended.reason], ['unknown', 'hangup']);
  const after = await call.detectAnsweringMachine();
  t.same([after.result, after.reason], ['unknown', 'hangup'], 'on an ended call too');
  const done = await callee.done;
  t.equal(done.code, 0, describeSipp(done));
  await assertNoLeaks(t, engine);
});
