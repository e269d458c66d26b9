// A phone behind NAT registers over UDP with a Contact naming its private
// address: the engine reaches it at the address the REGISTER came from (calls
// and keep-alive OPTIONS alike), and once it stops answering the keep-alives
// its binding is removed, so no call is offered to a phone that is gone.
import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { answerDigestChallenge } from '../../src/embedded/registrar/digest-client.js';
import { getHeaders } from '../../src/embedded/sip/headers.js';
import { SipPeer, rtpRange } from '../contract/sip-peer.js';

const silent = pino({ level: 'silent' });
// Short SIP timers: an unanswered OPTIONS over UDP times out after 64*T1 = 1.28 s.
const TIMERS = { t1: 20, t2: 160, t4: 200 };

t.test('a UDP phone behind NAT gets keep-alive OPTIONS at its real address and loses its binding when it stops answering', async (t) => {
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TIMERS, logger: silent, domain: '127.0.0.1',
    credentials: new InMemoryCredentialStore({ agent: 'agent-password' }),
    natKeepAlive: { intervalMs: 200, maxMissed: 2 },
  });
  await driver.start();
  t.teardown(() => driver.stop());
  let answering = true;
  let pings = 0;
  const phone = await SipPeer.start({
    address: '127.0.0.1',
    onRequest: (req, tx) => {
      if (req.method !== 'OPTIONS') return false;
      pings++;
      if (answering) tx.respond(200, 'OK');
      return true;
    },
  });
  t.teardown(() => phone.close());
  const removed = new Promise<string>((resolve) => driver.registrar?.bindings.once('unregistered', (_b, why) => resolve(why)));

  const dest = { transport: 'udp' as const, address: '127.0.0.1', port: driver.sipPort };
  const headers = [{ name: 'Contact', value: '<sip:agent@10.9.8.7:5060>' }, { name: 'Expires', value: '600' }];
  const ids = { aor: 'sip:agent@127.0.0.1', callId: 'nat-reg@10.9.8.7' };
  const first = await phone.request('REGISTER', 'sip:127.0.0.1', dest, headers, { ...ids, cseq: 1 });
  const answer = answerDigestChallenge(getHeaders(first, 'WWW-Authenticate'), { method: 'REGISTER', uri: 'sip:127.0.0.1' }, { username: 'agent', password: 'agent-password' });
  const registered = await phone.request('REGISTER', 'sip:127.0.0.1', dest, [...headers, { name: 'Authorization', value: answer?.value ?? '' }], { ...ids, cseq: 2 });
  t.equal(registered.status, 200);

  // The private Contact is unreachable: the call goes to the address the REGISTER came from.
  const placing = driver.originate({ kind: 'device', user: 'agent' }, { timeoutMs: 5000 });
  const ringing = await phone.nextCall();
  const call = await placing;
  await call.hangup();
  await ringing.waitEnded();

  for (let waited = 0; pings < 2 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  t.ok(pings >= 2, `keep-alive OPTIONS reached the phone's public address (${pings})`);
  t.equal(driver.registrar?.lookup('agent').length, 1, 'answered keep-alives keep the binding');

  answering = false;
  const started = Date.now();
  const why = await Promise.race([removed, new Promise<string>((r) => setTimeout(() => r('still bound'), 10_000))]);
  t.equal(why, 'removed', `binding removed ${Date.now() - started} ms after the phone went silent`);
  t.equal(driver.registrar?.lookup('agent').length, 0);
  const err = await driver.originate({ kind: 'device', user: 'agent' }).then(() => undefined, (e: unknown) => e);
  t.match(err, { hangupCause: 'unreachable' }, 'no call is offered to the gone phone');
});
