// A call's life with real peers: CANCEL while ringing, BYE from either side,
// hold and resume by re-INVITE. Each must end (or continue) cleanly and leave
// no dialog, transaction, timer or media port behind.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HangupCause } from '../../src/driver.js';
import { describeSipp, runSipp } from '../peers/sipp.js';
import { makeToneUlaw } from '../peers/audio.js';
import { assertNoLeaks, deferred, onIncoming, startEngine, within } from './engine.js';

t.test('GIVEN an app that only rings WHEN the SIPp caller CANCELs THEN 487 is sent and the call ends as cancelled', async (t) => {
  const engine = await startEngine(t);
  const cause = deferred<HangupCause>();
  onIncoming(t, engine, async ({ call }) => {
    call.once('hangup', (c) => cause.resolve(c));
    await call.ring();
  });
  const r = await runSipp({
    scenario: 'uac-invite-cancel-while-ringing.xml', remote: engine.address, service: '6000', calls: 1,
    pauseMs: 500, timeoutMs: 20_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  t.equal(await within(cause.promise, 5000, 'hangup event'), 'cancelled');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN an answered call WHEN the app hangs up THEN the SIPp caller gets a BYE', async (t) => {
  const engine = await startEngine(t);
  onIncoming(t, engine, async ({ call }) => {
    await call.answer();
    await new Promise((r) => setTimeout(r, 800));
    await call.hangup();
  });
  const r = await runSipp({ scenario: 'uac-call-expect-bye.xml', remote: engine.address, service: '6001', calls: 1, timeoutMs: 20_000 });
  t.equal(r.code, 0, describeSipp(r));
  await assertNoLeaks(t, engine);
});

t.test('GIVEN an answered call WHEN the SIPp caller sends BYE THEN the app sees a normal hangup', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(join(dir, 'a.ul'), { seconds: 1 });
  const cause = deferred<HangupCause>();
  onIncoming(t, engine, async ({ call }) => {
    call.once('hangup', (c) => cause.resolve(c));
    await call.answer();
  });
  const r = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '6002', calls: 1,
    pauseMs: 1000, files: { 'audio.ul': ul }, timeoutMs: 20_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  t.equal(await within(cause.promise, 5000, 'hangup event'), 'normal');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN an answered call WHEN the SIPp caller holds (sendonly) and resumes (sendrecv) by re-INVITE THEN both get 200 with the mirrored direction and the call continues', async (t) => {
  const engine = await startEngine(t);
  const cause = deferred<HangupCause>();
  onIncoming(t, engine, async ({ call }) => {
    call.once('hangup', (c) => cause.resolve(c));
    await call.answer();
  });
  const r = await runSipp({
    scenario: 'uac-call-hold-reinvite.xml', remote: engine.address, service: '6003', calls: 1,
    pauseMs: 700, timeoutMs: 20_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  t.match(r.logs, /HOLD-ANSWER (recvonly|inactive)/, `hold answered recvonly or inactive: ${r.logs}`);
  t.match(r.logs, /UNHOLD-ANSWER sendrecv/, 'resume answered sendrecv');
  t.equal(await within(cause.promise, 5000, 'hangup event'), 'normal', 'the call lasted until the caller\'s BYE');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN 20 calls in a row to the echo number WHEN each ends with BYE THEN nothing is left behind', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(join(dir, 'a.ul'), { seconds: 0.5 });
  const r = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '9196', calls: 20, rate: 10, limit: 10,
    pauseMs: 600, files: { 'audio.ul': ul }, timeoutMs: 30_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  t.equal(r.stats.successful, 20);
  await assertNoLeaks(t, engine);
});
