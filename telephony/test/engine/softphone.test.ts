import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { answerDigestChallenge } from '../../src/embedded/registrar/digest-client.js';
import { getHeaders } from '../../src/embedded/sip/headers.js';
import type { IncomingCall } from '../../src/driver.js';
import { SipPeer, TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';

const silent = pino({ level: 'silent' });

t.test('a softphone registers with digest, is called by user name, and its calls are tagged as its own', async (t) => {
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    domain: 'tenor.test', credentials: new InMemoryCredentialStore({ agent7: 's3cret' }),
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const phone = await SipPeer.start({ address: '127.0.0.1' });
  t.teardown(() => phone.close());
  const events: string[] = [];
  driver.registrar?.bindings.on('registered', (b) => events.push(`+${b.user}`));
  driver.registrar?.bindings.on('unregistered', (b, why) => events.push(`-${b.user} ${why}`));
  const dest = { transport: 'udp' as const, address: '127.0.0.1', port: driver.sipPort };
  const contact = `<sip:agent7@127.0.0.1:${phone.port}>`;
  let cseq = 0;
  const register = async (expires: number): Promise<number> => {
    const headers = [{ name: 'Contact', value: contact }, { name: 'Expires', value: String(expires) }];
    const uri = 'sip:tenor.test';
    const ids = { aor: 'sip:agent7@tenor.test', callId: `reg-${phone.port}@127.0.0.1` };
    const first = await phone.request('REGISTER', uri, dest, headers, { ...ids, cseq: ++cseq });
    if (first.status !== 401) return first.status;
    const answer = answerDigestChallenge(getHeaders(first, 'WWW-Authenticate'), { method: 'REGISTER', uri }, { username: 'agent7', password: 's3cret' });
    return (await phone.request('REGISTER', uri, dest, [...headers, { name: 'Authorization', value: answer?.value ?? '' }], { ...ids, cseq: ++cseq })).status;
  };
  t.equal(await register(300), 200);
  t.equal(driver.registrar?.lookup('agent7').length, 1);

  const placing = driver.originate({ kind: 'device', user: 'agent7' }, { timeoutMs: 5000 });
  const ringing = await phone.nextCall();
  const call = await placing;
  t.equal(call.to.number, 'agent7');
  t.ok(ringing.answered);
  await call.hangup();
  await ringing.waitEnded();

  const incoming = new Promise<IncomingCall>((resolve) => driver.once('incoming', resolve));
  const out = await phone.call({ uri: `sip:5000@127.0.0.1:${driver.sipPort}`, destination: dest, from: 'agent7' });
  const inc = await incoming;
  t.same(inc.source, { kind: 'device', user: 'agent7' }, 'a call from the registered phone names its user');
  await inc.call.reject('busy');
  await out.waitEnded();

  t.equal(await register(0), 200);
  t.equal(driver.registrar?.lookup('agent7').length, 0);
  t.same(events, ['+agent7', '-agent7 removed']);
  const err = await driver.originate({ kind: 'device', user: 'agent7' }).then(() => undefined, (e: unknown) => e);
  t.match(err, { name: 'OriginateError', hangupCause: 'unreachable' });
});

t.test('over SIP: the 401 does not reveal whether a user exists, and repeated bad answers get the source banned', async (t) => {
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    domain: 'tenor.test', credentials: new InMemoryCredentialStore({ agent7: 's3cret' }), rateLimit: { maxAuthFailures: 3 },
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const attacker = await SipPeer.start({ address: '127.0.0.3' });
  t.teardown(() => attacker.close());
  const dest = { transport: 'udp' as const, address: '127.0.0.1', port: driver.sipPort };
  const uri = 'sip:tenor.test';
  const challengeOf = async (user: string): Promise<string[]> => {
    const res = await attacker.request('REGISTER', uri, dest, [{ name: 'Contact', value: `<sip:${user}@127.0.0.3:5060>` }], { aor: `sip:${user}@tenor.test` });
    t.equal(res.status, 401);
    return getHeaders(res, 'WWW-Authenticate').map((v) => v.replace(/nonce="[^"]*"/, 'nonce=""'));
  };
  t.same(await challengeOf('agent7'), await challengeOf('nobody'), 'same challenges for a real and a made-up user');

  let last = 0;
  for (let i = 0; i < 3; i++) {
    const first = await attacker.request('REGISTER', uri, dest, [], { aor: 'sip:agent7@tenor.test' });
    const answer = answerDigestChallenge(getHeaders(first, 'WWW-Authenticate'), { method: 'REGISTER', uri }, { username: 'agent7', password: `guess${i}` });
    last = (await attacker.request('REGISTER', uri, dest, [{ name: 'Authorization', value: answer?.value ?? '' }], { aor: 'sip:agent7@tenor.test' })).status;
  }
  t.equal(last, 401, 'wrong passwords are refused');
  const banned = await attacker.request('OPTIONS', uri, dest);
  t.equal(banned.status, 408, 'after three failures the source gets no answer at all');
  t.equal(driver.registrar?.lookup('agent7').length, 0);
});
