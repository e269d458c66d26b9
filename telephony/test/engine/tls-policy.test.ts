// The TLS listener under misuse and the "require encryption" policy: plain text
// and failed handshakes on the TLS port cost the server nothing, CRLFCRLF pings
// get their CRLF, a user who must encrypt is refused over UDP (403 with a
// Warning) and for an offer without SRTP (488), and an SDES offer is answered.
import t from 'tap';
import pino from 'pino';
import net from 'node:net';
import tls from 'node:tls';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { getHeader } from '../../src/embedded/sip/headers.js';
import { SipPeer, TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { RawTlsClient, makeCertificate, plainSdp, sipRequest } from './tls-fixtures.js';

const silent = pino({ level: 'silent' });

t.test('TLS port: junk and failed handshakes are shrugged off, keep-alive pings answered, encryption enforced', async (t) => {
  const certificate = await makeCertificate(t.testdir({}));
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, domain: '127.0.0.1',
    credentials: new InMemoryCredentialStore({ agent: 'agent-password', other: 'other-password' }),
    tls: { port: 0, cert: certificate.cert, key: certificate.key },
    requireEncryption: (user) => user === 'agent',
    rateLimit: { exempt: ['127.0.0.1'] },
  });
  driver.on('incoming', ({ call }) => void call.answer());
  await driver.start();
  t.teardown(() => driver.stop());
  const tlsPort = driver.sipTlsPort ?? 0;

  await t.test('plain text on the TLS port and an untrusting client do not hurt the server', async (t) => {
    const plain = net.connect({ host: '127.0.0.1', port: tlsPort });
    await new Promise<void>((resolve) => plain.once('connect', () => resolve()));
    plain.write(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', user: 'x', localPort: plain.localPort ?? 0, callId: 'plain-1' }));
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      plain.once('close', () => { clearTimeout(timer); resolve(true); });
      plain.on('error', () => undefined);
    });
    t.ok(closed, 'the server closes a connection that does not speak TLS');
    // A client that does not trust the certificate fails its own handshake.
    const refused = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: tlsPort }, () => resolve('connected'));
      socket.once('error', (err) => resolve(err.message));
    });
    t.match(refused, /self[- ]signed/, 'an untrusting client refuses the handshake');
    const client = await RawTlsClient.connect(tlsPort, certificate.cert);
    t.teardown(() => client.close());
    client.send(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', user: 'x', localPort: client.localPort, callId: 'after-junk' }));
    t.match(await client.waitFor(/\r\n\r\n/), /^SIP\/2\.0 200 /, 'a real TLS client is served afterwards');
    t.equal(driver.stats().resources.bannedSources, 0);
  });

  await t.test('stalled handshakes from one address are capped before any crypto is spent on them', async (t) => {
    // 64 per source address (the connection limit); the ones over it are closed at once.
    const sockets = await Promise.all(Array.from({ length: 70 }, () => new Promise<net.Socket>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: tlsPort }, () => resolve(socket));
      socket.on('error', () => undefined);
    })));
    const closed = await Promise.all(sockets.map((socket) => new Promise<boolean>((resolve) => {
      if (socket.destroyed) return resolve(true);
      const timer = setTimeout(() => resolve(false), 2000);
      socket.once('close', () => { clearTimeout(timer); resolve(true); });
    })));
    t.equal(closed.filter(Boolean).length, 6, 'the six over the limit are closed, the others wait for their handshake');
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const client = await RawTlsClient.connect(tlsPort, certificate.cert);
    t.teardown(() => client.close());
    client.send('\r\n\r\n');
    t.equal(await client.waitFor(/\r\n/), '\r\n', 'once they are gone, a real client is served');
  });

  await t.test('a CRLFCRLF ping over TLS gets a CRLF pong (RFC 5626 §4.4.1)', async (t) => {
    const client = await RawTlsClient.connect(tlsPort, certificate.cert);
    t.teardown(() => client.close());
    client.send('\r\n\r\n');
    t.equal(await client.waitFor(/\r\n/), '\r\n');
  });

  await t.test('a user who must encrypt is refused over UDP, with the reason', async (t) => {
    const phone = await SipPeer.start({ address: '127.0.0.1' });
    t.teardown(() => phone.close());
    const dest = { transport: 'udp' as const, address: '127.0.0.1', port: driver.sipPort };
    const headers = [{ name: 'Contact', value: `<sip:agent@127.0.0.1:${phone.port}>` }];
    const refused = await phone.request('REGISTER', 'sip:127.0.0.1', dest, headers, { aor: 'sip:agent@127.0.0.1' });
    t.equal(refused.status, 403);
    t.match(getHeader(refused, 'Warning'), /encryption required: use SIP over TLS/);
    t.equal(driver.registrar?.lookup('agent').length, 0);
    const other = await phone.request('REGISTER', 'sip:127.0.0.1', dest, [{ name: 'Contact', value: `<sip:other@127.0.0.1:${phone.port}>` }], { aor: 'sip:other@127.0.0.1' });
    t.equal(other.status, 401, 'another user goes on to the digest challenge');
    const call = await phone.call({ uri: `sip:5000@127.0.0.1:${driver.sipPort}`, destination: dest, from: 'agent' });
    await call.waitEnded();
    t.notOk(call.answered, 'its INVITE over UDP never reaches the application (which answers every call here)');
    t.same(call.ended, { by: 'driver', refused: 'rejected' }, 'it is refused (403)');
  });

  await t.test('over TLS: an offer without SRTP gets 488, an SDES offer is answered with SDES', async (t) => {
    const client = await RawTlsClient.connect(tlsPort, certificate.cert);
    t.teardown(() => client.close());
    const invite = (callId: string, body: string): string => sipRequest({
      method: 'INVITE', uri: `sip:5000@127.0.0.1:${tlsPort};transport=tls`, user: 'agent', localPort: client.localPort, callId, body,
    });
    client.send(invite('plain-offer', plainSdp(40000, 'RTP/AVP')));
    const plain = await client.waitFor(/SIP\/2\.0 488[^]*\r\n\r\n/);
    t.match(plain, /Warning: 399 tenor "encryption required: offer SRTP/);
    const key = Buffer.alloc(30, 7).toString('base64');
    client.send(invite('srtp-offer', plainSdp(40002, 'RTP/SAVP', key)));
    const answered = await client.waitFor(/SIP\/2\.0 200 [^]*\r\n\r\n[^]*a=crypto[^\r]*\r\n/, 5000);
    t.match(answered, /m=audio \d+ RTP\/SAVP 0/, 'answered RTP/SAVP');
    const line = /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)/.exec(answered);
    t.ok(line, 'with the offered tag and suite');
    t.not(line?.[1], key, 'and a key of its own');
    t.equal(Buffer.from(line?.[1] ?? '', 'base64').length, 30, '16 bytes of key and 14 of salt');
  });
});
