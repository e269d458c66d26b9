// The call caps answer with documented responses: 486 Busy Here with
// Retry-After when one address holds too many unanswered or too many calls,
// 503 Service Unavailable with Retry-After when the engine holds its total.
// Each cap counts per address: a second address is not affected.
import t from 'tap';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { runSipp } from '../peers/sipp.js';
import { makeToneUlaw } from '../peers/audio.js';
import { assertNoLeaks, startEngine } from '../interop/engine.js';

function count(log: string, marker: string): number {
  return (log.match(new RegExp(marker, 'g')) ?? []).length;
}

t.test('GIVEN an address at its unanswered-call cap WHEN it sends one more INVITE THEN 486 Busy Here with Retry-After: 10 and a Warning, and another address still gets in', async (t) => {
  const engine = await startEngine(t, { callLimits: { maxUnansweredPerSource: 2 } });
  const flood = await runSipp({
    scenario: 'uac-invite-never-ack.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.5',
    calls: 3, rate: 10, timeoutMs: 15_000, traceMessages: true,
  });
  t.equal(count(flood.logs, 'FLOOD-200'), 2, `two calls answered: ${flood.logs}`);
  t.equal(count(flood.logs, 'FLOOD-486'), 1, 'the third refused');
  t.match(flood.messages, /SIP\/2.0 486 Busy Here[\s\S]*Retry-After: 10/, 'with Retry-After');
  t.match(flood.messages, /Warning: 399 tenor "too many unanswered calls from this address"/, 'and a Warning saying why');
  const other = await runSipp({
    scenario: 'uac-invite-never-ack.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.6',
    calls: 1, timeoutMs: 15_000,
  });
  t.equal(count(other.logs, 'FLOOD-200'), 1, 'another address is answered');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN an address with one answered call and a cap of 1 call per address WHEN it places a second THEN 486 with Retry-After: 30', async (t) => {
  const engine = await startEngine(t, { callLimits: { maxCallsPerSource: 1 } });
  const dir = await mkdtemp(join(tmpdir(), 'tenor-caps-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(join(dir, 'a.ul'), { seconds: 1 });
  const r = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.7',
    calls: 2, rate: 2, limit: 2, pauseMs: 2500, files: { 'audio.ul': ul }, timeoutMs: 20_000, traceMessages: true,
  });
  t.equal(r.stats.successful, 1, 'the first call went through');
  t.equal(r.stats.failed, 1, 'the second did not');
  t.match(r.messages, /SIP\/2.0 486 Busy Here[\s\S]*Retry-After: 30/, '486 with Retry-After');
  t.match(r.messages, /Warning: 399 tenor "too many calls from this address"/, 'and a Warning saying why');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN an engine at its total call cap WHEN a call comes from yet another address THEN 503 Service Unavailable with Retry-After: 5', async (t) => {
  const engine = await startEngine(t, { callLimits: { maxCalls: 2 } });
  const first = await runSipp({
    scenario: 'uac-invite-never-ack.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.8',
    calls: 2, rate: 10, timeoutMs: 15_000,
  });
  t.equal(count(first.logs, 'FLOOD-200'), 2, 'two calls take the engine to its cap');
  const third = await runSipp({
    scenario: 'uac-invite-never-ack.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.9',
    calls: 1, timeoutMs: 15_000, traceMessages: true,
  });
  t.equal(count(third.logs, 'FLOOD-503'), 1, `a third address is refused: ${third.logs}`);
  t.match(third.messages, /SIP\/2.0 503 Service Unavailable[\s\S]*Retry-After: 5/, '503 with Retry-After');
  t.match(third.messages, /Warning: 399 tenor "the server is at its call limit"/, 'and a Warning saying why');
  await assertNoLeaks(t, engine);
});
