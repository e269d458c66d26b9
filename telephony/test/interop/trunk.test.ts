// Outbound calls through a SIP trunk, with SIPp standing in for the carrier:
// the right number in the Request-URI, and a digest challenge answered.
import t, { type Test } from 'tap';
import { OriginateError } from '../../src/driver.js';
import { describeSipp, startSipp, type SippProcess } from '../peers/sipp.js';
import { assertNoLeaks, startEngine } from './engine.js';

async function carrier(t: Test, password: string): Promise<SippProcess> {
  const uas = await startSipp({
    scenario: 'uas-challenge-then-answer.xml', calls: 1, rtpEcho: true,
    vars: { user: 'tenor-trunk', password }, timeoutMs: 30_000,
  });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  return uas;
}

t.test('GIVEN a trunk that challenges with 401 WHEN originate({kind:"number"}) THEN the trunk sees the number, a valid digest, answers, and gets our BYE', async (t) => {
  const uas = await carrier(t, 'trunk-secret');
  const engine = await startEngine(t, {
    trunks: [{
      name: 'carrier', host: '127.0.0.1', port: uas.port, transport: 'udp',
      username: 'tenor-trunk', password: 'trunk-secret', inboundAddresses: [],
    }],
  });
  const call = await engine.driver.originate(
    { kind: 'number', number: '+4930123456' },
    { callerId: { number: '+4940999000' }, timeoutMs: 10_000 },
  );
  t.equal(call.state, 'answered');
  t.equal(call.direction, 'outbound');
  await new Promise((r) => setTimeout(r, 500));
  await call.hangup();
  const r = await uas.done;
  t.equal(r.code, 0, describeSipp(r));
  t.match(r.logs, /INVITE-NUMBER \+4930123456 /, `the carrier got the dialed number: ${r.logs}`);
  t.match(r.logs, /FROM \+4940999000 /, 'with our caller id');
  t.match(r.logs, /AUTH ok user=tenor-trunk/, 'and a digest answer that verifies');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN a trunk WHEN our trunk password is wrong THEN the carrier refuses and originate rejects with an OriginateError', async (t) => {
  const uas = await carrier(t, 'trunk-secret');
  const engine = await startEngine(t, {
    trunks: [{
      name: 'carrier', host: '127.0.0.1', port: uas.port, transport: 'udp',
      username: 'tenor-trunk', password: 'not-the-secret', inboundAddresses: [],
    }],
  });
  const err = await engine.driver.originate({ kind: 'number', number: '+4930123456' }, { timeoutMs: 10_000 })
    .then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof OriginateError, `OriginateError: ${String(err)}`);
  const r = await uas.done;
  t.match(r.logs, /AUTH bad user=tenor-trunk/, `the carrier saw a wrong digest: ${r.logs}`);
  await assertNoLeaks(t, engine);
});
