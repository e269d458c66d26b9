// Digest authentication under attack, over real SIP with SIPp:
//  - a REGISTER captured on the wire and sent again from another address with
//    the attacker's Contact (a replay of the nonce and its count) must not move
//    the agent's calls there;
//  - a password guesser spread over many addresses, each staying under the
//    per-address ban, is stopped per username, for a while only: the real user
//    gets in from a fresh address once the lock has passed;
//  - SHA-256 is offered first, and a phone that cannot answer it falls back to MD5.
import t from 'tap';
import { runSipp, describeSipp } from '../peers/sipp.js';
import { registerContact } from '../peers/register-client.js';
import { startEngine } from '../interop/engine.js';

function count(log: string, marker: string): number {
  return (log.match(new RegExp(marker, 'g')) ?? []).length;
}

t.test('GIVEN agent registered by SIPp from 127.0.0.1 WHEN its captured Authorization is replayed from 127.0.0.4 with another Contact THEN the replay gets 401 and the binding keeps the original contact', async (t) => {
  const engine = await startEngine(t, { digestAlgorithms: ['MD5'] });
  const legit = await runSipp({
    scenario: 'uac-register-auth.xml', remote: engine.address, calls: 1, vars: { user: 'agent' },
    auth: { user: 'agent', password: 'agent-secret' }, traceMessages: true, timeoutMs: 15_000,
  });
  t.equal(legit.code, 0, `agent registered: ${describeSipp(legit)}`);
  const authorization = /^\s*Authorization:\s*(Digest .*)$/m.exec(legit.messages)?.[1]?.trim();
  t.ok(authorization, 'the Authorization header was seen on the wire');
  if (!authorization) return;
  const original = engine.driver.registrar?.lookup('agent').map((b) => b.contact) ?? [];
  t.equal(original.length, 1, 'one binding');
  t.match(original[0], /@127\.0\.0\.1:/, 'at the real phone');

  const replay = await runSipp({
    scenario: 'uac-register-replay.xml', remote: engine.address, calls: 1, localAddress: '127.0.0.4',
    vars: { user: 'agent', auth: authorization }, timeoutMs: 15_000,
  });
  t.equal(count(replay.logs, 'REPLAY-401'), 1, `the replay is refused: ${replay.logs.slice(-400)}`);
  t.equal(count(replay.logs, 'REPLAY-200'), 0, 'not accepted');
  const after = engine.driver.registrar?.lookup('agent').map((b) => b.contact) ?? [];
  t.same(after, original, 'the binding still points at the real phone');
  t.notOk(after.some((c) => c.includes('127.0.0.4')), 'the attacker\'s contact was not bound');
});

t.test('GIVEN a guesser trying passwords for agent from six addresses, one guess each WHEN the username reaches 5 failures THEN it is refused with 503 and Retry-After even for the right password, no address is banned, and once the lock passes the right password registers from a fresh address', async (t) => {
  const lockMs = 4000;
  const engine = await startEngine(t, { digestAlgorithms: ['MD5'], userAuthLimit: { maxFailures: 5, lockMs } });
  const guess = async (address: string, password: string, trace = false): Promise<{ logs: string; messages: string }> => {
    const r = await runSipp({
      scenario: 'uac-register-guess.xml', remote: engine.address, calls: 1, localAddress: address,
      vars: { user: 'agent' }, auth: { user: 'agent', password }, timeoutMs: 15_000, traceMessages: trace,
    });
    return { logs: r.logs, messages: r.messages };
  };
  for (let i = 0; i < 5; i++) {
    const r = await guess(`127.0.0.${20 + i}`, `guess-${i}`);
    t.equal(count(r.logs, 'GUESS-401'), 1, `guess ${i + 1} from 127.0.0.${20 + i} is simply wrong (401)`);
  }
  const locked = await guess('127.0.0.25', 'agent-secret', true);
  t.equal(count(locked.logs, 'GUESS-503'), 1, `the right password is not even checked while agent is locked: ${locked.logs.slice(-300)}`);
  t.match(locked.messages, /SIP\/2.0 503 Service Unavailable[\s\S]*Retry-After: \d+/, '503 with Retry-After');
  t.match(locked.messages, /Warning: 399 tenor "too many failed authentications for this user; retry later"/, 'and a Warning saying why');
  t.equal(engine.driver.stats().resources.bannedSources, 0, 'no single address failed often enough to be banned');
  t.equal(engine.driver.registrar?.lookup('agent').length ?? 0, 0, 'nothing registered');

  await new Promise((resolve) => setTimeout(resolve, lockMs + 500));
  const later = await guess('127.0.0.26', 'agent-secret');
  t.equal(count(later.logs, 'GUESS-200'), 1, `after the lock the real user registers from a fresh address: ${later.logs.slice(-300)}`);
  t.equal(engine.driver.registrar?.lookup('agent').length ?? 0, 1, 'agent is registered');
});

t.test('GIVEN a registrar offering SHA-256 first, then MD5 (RFC 8760) WHEN a client that reads every challenge registers THEN it gets in at once; WHEN SIPp, which answers only the first challenge and only in MD5, registers THEN its first try fails and its retry from the same address is offered MD5 alone and registers', async (t) => {
  const engine = await startEngine(t, { digestAlgorithms: ['SHA-256', 'MD5'] });
  const rfc8760 = await registerContact({ registrar: engine.address, user: 'alice', password: 'alice-secret', contact: 'sip:alice@127.0.0.1:5999' });
  t.equal(rfc8760.status, 200, 'a client that picks the first algorithm it supports registers (with SHA-256)');

  const register = (): ReturnType<typeof runSipp> => runSipp({
    scenario: 'uac-register-auth.xml', remote: engine.address, calls: 1, vars: { user: 'agent' },
    auth: { user: 'agent', password: 'agent-secret' }, traceMessages: true, timeoutMs: 15_000,
  });
  const first = await register();
  t.match(first.messages, /WWW-Authenticate: Digest [^\n]*algorithm=SHA-256[\s\S]*WWW-Authenticate: Digest [^\n]*algorithm=MD5/, 'SHA-256 offered first, then MD5');
  t.not(first.code, 0, 'SIPp 3.6 cannot answer a SHA-256 first challenge');
  const retry = await register();
  t.equal(retry.code, 0, `the retry registers: ${describeSipp(retry)}`);
  t.notMatch(retry.messages, /algorithm=SHA-256/, 'the retry was offered MD5 alone');
  t.equal(engine.driver.registrar?.lookup('agent').length ?? 0, 1, 'agent is registered');
});
