import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { DigestAuthenticator } from '../../src/embedded/registrar/digest-server.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { Registrar } from '../../src/embedded/registrar/registrar.js';
import { registerInputFromRequest, responseForRegister } from '../../src/embedded/registrar/sip-register.js';
import { getHeader, getHeaders } from '../../src/embedded/sip/headers.js';
import type { SipRequest } from '../../src/embedded/sip/message.js';
import { waitUntil } from '../../src/contract/suite.js';
import { SipPeer, TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';

const silent = pino({ level: 'silent' });

t.test('an outbound call through a trunk answers its digest challenge and carries the number and caller ID', async (t) => {
  const auth = new DigestAuthenticator({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ tenor: 'trunk-secret' }), algorithms: ['SHA-256', 'MD5'] });
  const invites: SipRequest[] = [];
  const carrier = await SipPeer.start({
    address: '127.0.0.2',
    modeFor: () => ({ kind: 'answer' }),
    onRequest: (req, tx) => {
      if (req.method !== 'INVITE' || getHeader(req, 'To')?.includes('tag=')) return false;
      invites.push(req);
      const proxyAuth = getHeaders(req, 'Proxy-Authorization');
      if (proxyAuth.length === 0) {
        tx.respond(407, 'Proxy Authentication Required', auth.challenges().map((value) => ({ name: 'Proxy-Authenticate', value })));
        return true;
      }
      // Checked asynchronously; a wrong answer is refused, a right one falls through to the default UAS.
      void auth.verify(proxyAuth, 'INVITE').then((outcome) => {
        if (!outcome.ok) tx.respond(403, 'Forbidden');
      });
      return false;
    },
  });
  t.teardown(() => carrier.close());
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', username: 'tenor', password: 'trunk-secret', fromDomain: 'tenor.example' }],
  });
  await driver.start();
  t.teardown(() => driver.stop());

  const call = await driver.originate({ kind: 'number', number: '+4930123456' }, { callerId: { number: '+15551234', displayName: 'Tenor Sales' }, timeoutMs: 5000 });
  t.equal(call.state, 'answered');
  t.equal(call.to.number, '+4930123456');
  t.equal(invites.length, 2, 'first INVITE challenged, second authenticated');
  const [first, second] = invites;
  t.equal(second?.uri, `sip:+4930123456@127.0.0.2:${carrier.port}`, 'Request-URI is the dialed number at the trunk');
  t.match(getHeader(second as SipRequest, 'From'), /"Tenor Sales" <sip:\+15551234@tenor\.example>/, 'caller ID in From');
  t.match(getHeader(second as SipRequest, 'P-Asserted-Identity'), /sip:\+15551234@tenor\.example/);
  t.equal(getHeader(first as SipRequest, 'Call-ID'), getHeader(second as SipRequest, 'Call-ID'), 'same call, retried');
  t.match(getHeader(second as SipRequest, 'CSeq'), /^2 INVITE$/);
  t.match(getHeaders(second as SipRequest, 'Proxy-Authorization')[0], /algorithm=SHA-256/, 'the stronger algorithm was chosen');

  const remote = await carrier.nextCall();
  const ended = new Promise((resolve) => call.once('hangup', resolve));
  await remote.hangup();
  t.equal(await ended, 'normal');
  await waitUntil(() => driver.stats().activeCalls === 0 && driver.stats().resources['mediaPorts'] === 0, 5000, 'idle');
});

t.test('a trunk with register: true gets a REGISTER that answers the challenge', async (t) => {
  const registrar = new Registrar({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ tenor: 'pw' }) });
  t.teardown(() => registrar.close());
  const carrier = await SipPeer.start({
    address: '127.0.0.2',
    onRequest: (req, tx) => {
      if (req.method !== 'REGISTER') return false;
      const input = registerInputFromRequest(req, tx.source);
      if (!input) tx.respond(400);
      else void registrar.handle(input).then((outcome) => tx.send(responseForRegister(req, outcome, tx.localTag)));
      return true;
    },
  });
  t.teardown(() => carrier.close());
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', username: 'tenor', password: 'pw', register: true }],
  });
  await driver.start();
  await waitUntil(() => registrar.lookup('tenor').length === 1, 5000, 'registration');
  t.match(registrar.lookup('tenor')[0]?.contact, new RegExp(`^sip:tenor@127\\.0\\.0\\.1:${driver.sipPort}$`), 'our contact is bound at the trunk');
  await driver.stop();
  t.equal(registrar.lookup('tenor').length, 0, 'stop unregisters');
});

t.test('a TCP trunk carries the call over TCP', async (t) => {
  const carrier = await SipPeer.start({ address: '127.0.0.2', transport: 'tcp' });
  t.teardown(() => carrier.close());
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'tcp' }],
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const call = await driver.originate({ kind: 'number', number: '5551000' }, { timeoutMs: 5000 });
  const remote = await carrier.nextCall();
  t.equal(call.state, 'answered');
  t.equal(driver.stats().resources['connections'], 1, 'one TCP connection to the trunk');
  const ended = new Promise((resolve) => call.once('hangup', resolve));
  await remote.hangup();
  t.equal(await ended, 'normal', 'BYE from the trunk arrives over TCP');
});
