// The registrar seen from real peers: it must not reveal which users exist,
// and a real softphone must be able to register with a password.
import t from 'tap';
import { describeSipp, normalised401, runSipp } from '../peers/sipp.js';
import { Baresip } from '../peers/baresip.js';
import { assertNoLeaks, eventually, startEngine } from './engine.js';

t.test('GIVEN a registrar with user alice WHEN REGISTER comes for alice and for a user that does not exist THEN both 401s are identical apart from the nonce', async (t) => {
  const engine = await startEngine(t);
  const known = await runSipp({
    scenario: 'uac-register-expect-401.xml', remote: engine.address, calls: 1, vars: { user: 'alice' }, timeoutMs: 15_000,
  });
  const unknown = await runSipp({
    scenario: 'uac-register-expect-401.xml', remote: engine.address, calls: 1, vars: { user: 'mallory' }, timeoutMs: 15_000,
  });
  t.equal(known.code, 0, describeSipp(known));
  t.equal(unknown.code, 0, describeSipp(unknown));
  const a = normalised401(known.logs);
  const b = normalised401(unknown.logs);
  t.match(a, /^SIP\/2.0 401 /, 'a 401 was logged');
  t.match(a, /WWW-Authenticate: Digest /, 'with a digest challenge');
  t.equal(a, b, 'same status, headers and challenge parameters');
  const nonces = [known.logs, unknown.logs].map((l) => /nonce="([^"]*)"/.exec(l)?.[1]);
  t.not(nonces[0], nonces[1], 'each challenge has its own nonce');
  await assertNoLeaks(t, engine);
});

t.test('GIVEN a registrar with user agent WHEN baresip registers with the right password THEN REGISTER_OK and the registrar holds its binding', async (t) => {
  const engine = await startEngine(t);
  const phone = await Baresip.start({ user: 'agent', registrar: engine.address, password: 'agent-secret', registerIntervalS: 60 });
  t.teardown(() => phone.stop());
  // baresip 1.0.0 (libre) answers only challenges that all say MD5: a 401 that
  // also offers SHA-256 makes it give up ("Function not implemented").
  t.equal(await phone.waitForRegistration(10_000), 'ok', `baresip registered: ${phone.log().slice(-600)}`);
  t.ok(await eventually(() => (engine.driver.registrar?.lookup('agent').length ?? 0) > 0, 3000), 'binding for agent');
});

t.test('GIVEN a registrar WHEN baresip registers with a wrong password THEN registration fails', async (t) => {
  const engine = await startEngine(t);
  const phone = await Baresip.start({ user: 'agent', registrar: engine.address, password: 'wrong', registerIntervalS: 60 });
  t.teardown(() => phone.stop());
  // baresip either reports the failure or keeps answering new challenges until the
  // rate limiter bans it; either way it must never be registered.
  const state = await phone.waitForRegistration(8_000).catch(() => 'still trying');
  t.not(state, 'ok', `not registered (${state})`);
  t.equal(engine.driver.registrar?.lookup('agent').length ?? 0, 0, 'no binding');
});
