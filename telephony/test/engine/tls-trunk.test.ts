// A trunk with transport tls: the engine connects to the carrier over TLS,
// checks the carrier's certificate against the trunk's own CA, and refuses a
// carrier it cannot verify against the system's CAs. The carrier here is a
// second embedded engine listening on TLS.
import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import type { IncomingCall } from '../../src/driver.js';
import { TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { makeCertificate } from './tls-fixtures.js';

const silent = pino({ level: process.env['DEBUG_TLS'] ? 'debug' : 'silent' });

t.test('calls through a TLS trunk: verified against the trunk CA; an unverifiable carrier is refused', async (t) => {
  const certificate = await makeCertificate(t.testdir({}));
  const carrier = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, echoNumber: '',
    tls: { port: 0, cert: certificate.cert, key: certificate.key },
    rateLimit: { exempt: ['127.0.0.1'] },
  });
  await carrier.start();
  t.teardown(() => carrier.stop());
  const port = carrier.sipTlsPort ?? 0;
  const incoming: IncomingCall[] = [];
  carrier.on('incoming', (call) => {
    incoming.push(call);
    void call.call.answer();
  });
  // TLS trunks go out through the engine's own TLS transport (its listener is the Contact the carrier may call back).
  const ours = { port: 0, cert: certificate.cert, key: certificate.key };
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, tls: ours,
    trunks: [{ name: 'verified', host: '127.0.0.1', port, transport: 'tls', ca: certificate.cert }],
  });
  await driver.start();
  t.teardown(() => driver.stop());

  const call = await driver.originate({ kind: 'number', number: '4930123', trunk: 'verified' }, { timeoutMs: 5000 });
  t.equal(incoming.length, 1, 'the carrier got the call');
  const [first] = incoming;
  t.equal(first?.source.kind, 'unknown');
  t.equal(carrier.stats().resources.connections, 1, 'over one TLS connection');
  await call.hangup();

  const other = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, tls: ours,
    trunks: [{ name: 'unverified', host: '127.0.0.1', port, transport: 'tls' }],
  });
  await other.start();
  t.teardown(() => other.stop());
  const err = await other.originate({ kind: 'number', number: '4930123', trunk: 'unverified' }, { timeoutMs: 5000 }).then(() => undefined, (e: unknown) => e);
  t.ok(err, 'a carrier whose certificate does not chain to the system CAs gets no call');
  t.equal(incoming.length, 1, 'and the carrier saw nothing');
});
