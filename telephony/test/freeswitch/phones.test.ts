// Phones on FreeSWITCH with the secrets Tenor holds: FreeSWITCH asks Tenor's
// xml_curl server for the directory, a baresip softphone registers with its
// device secret and is then reached by originate({kind:'device'}), its own
// calls arrive authenticated as 'device' calls, a wrong secret and an unknown
// user are refused, a caller without credentials is challenged and kept out,
// and a trunk's address is let in without a challenge as a 'trunk' call.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { IncomingCall } from '../../src/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { startFreeSwitchXmlServer } from '../../src/freeswitch/xml-curl-server.js';
import { SipPeer } from '../contract/sip-peer.js';
import { findEngineBuild } from '../engine-build.js';
import { Baresip } from '../peers/baresip.js';

t.setTimeout(900_000);

const DOMAIN = 'tenor-phones.test';
const logger = pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' });

/** What the server's SIP credentials store gives: H(user:realm:secret) per algorithm, never the secret. */
function digestMaterial(user: string, secret: string): { MD5: string; 'SHA-256': string } {
  const text = `${user}:${DOMAIN}:${secret}`;
  return { MD5: createHash('md5').update(text).digest('hex'), 'SHA-256': createHash('sha256').update(text).digest('hex') };
}

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH phone test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-phones-'));
  const credentials = new InMemoryCredentialStore();
  credentials.set('alice', { passwordHash: digestMaterial('alice', 'alice-device-secret') });
  const trunks = [{ name: 'carrier', host: '127.0.0.2', port: 5060, transport: 'udp' as const, inboundAddresses: ['127.0.0.2'] }];
  const xml = await startFreeSwitchXmlServer({ credentials, domain: DOMAIN, trunks: () => trunks, logger });
  const fs = await startFreeSwitch({ prefix: build.prefix, folder, xmlCurl: xml.binding, domain: DOMAIN, logger });
  const driver = new FreeSwitchDriver({
    eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, domain: DOMAIN, trunks, logger,
  });
  await driver.start();
  t.teardown(async () => {
    await driver.stop();
    await fs.stop();
    await xml.stop();
    await rm(folder, { recursive: true, force: true });
  });
  const registrar = `${fs.address}:${fs.sipPort}`;
  const destination = { transport: 'udp' as const, address: fs.address, port: fs.sipPort };

  t.test('a phone registers with its device secret and originate({kind:"device"}) rings it', async (t) => {
    const phone = await Baresip.start({ user: 'alice', registrar, password: 'alice-device-secret' });
    t.teardown(() => phone.stop());
    t.equal(await phone.waitForRegistration(), 'ok', 'FreeSWITCH accepted the secret Tenor holds');
    const call = await driver.originate({ kind: 'device', user: 'alice' }, { callerId: { number: '+4930100' }, timeoutMs: 10_000 });
    t.equal(call.state, 'answered', 'the phone answered');
    await phone.waitForEvent('CALL_ESTABLISHED');
    const closed = phone.waitForEvent('CALL_CLOSED');
    await call.hangup();
    await closed;
    t.pass('hanging up reaches the phone');
  });

  t.test('a call from a registered phone is challenged and arrives as a device call', async (t) => {
    const phone = await Baresip.start({ user: 'alice', registrar, password: 'alice-device-secret' });
    t.teardown(() => phone.stop());
    t.equal(await phone.waitForRegistration(), 'ok');
    const incoming = new Promise<IncomingCall>((resolve) => driver.once('incoming', resolve));
    await phone.dial(`sip:5000@${registrar}`);
    const { call, source } = await incoming;
    t.same(source, { kind: 'device', user: 'alice' }, 'source: the phone\'s user, authenticated by its digest');
    t.equal(call.to.number, '5000');
    const closed = phone.waitForEvent('CALL_CLOSED');
    await call.reject('rejected');
    await closed;
  });

  t.test('a wrong secret and an unknown user are refused', async (t) => {
    const wrong = await Baresip.start({ user: 'alice', registrar, password: 'not-the-secret' });
    t.teardown(() => wrong.stop());
    t.equal(await wrong.waitForRegistration(), 'failed', 'wrong secret');
    const unknown = await Baresip.start({ user: 'mallory', registrar, password: 'anything' });
    t.teardown(() => unknown.stop());
    t.equal(await unknown.waitForRegistration(), 'failed', 'unknown user');
    const err = await driver.originate({ kind: 'device', user: 'mallory' }, { timeoutMs: 3000 }).then(() => undefined, (e: unknown) => e);
    t.match(err, { hangupCause: 'unreachable' }, 'an unregistered user cannot be called');
  });

  t.test('a caller without credentials is kept out; a trunk\'s address comes in unchallenged as a trunk call', async (t) => {
    let incomings = 0;
    const count = (): void => { incomings++; };
    driver.on('incoming', count);
    t.teardown(() => void driver.off('incoming', count));
    const stranger = await SipPeer.start({ address: '127.0.0.1' });
    t.teardown(() => stranger.close());
    const refused = await stranger.call({ uri: `sip:5000@${registrar}`, destination, from: 'alice' });
    t.same(await refused.waitEnded(10_000), { by: 'driver', refused: 'failed' }, 'challenged (407), not let in');
    t.equal(incomings, 0, 'Tenor never saw the call');

    const carrier = await SipPeer.start({ address: '127.0.0.2' });
    t.teardown(() => carrier.close());
    const incoming = new Promise<IncomingCall>((resolve) => driver.once('incoming', resolve));
    const fromCarrier = await carrier.call({ uri: `sip:5000@${registrar}`, destination, from: '+4930555' });
    const { call, source } = await incoming;
    t.same(source, { kind: 'trunk', trunk: 'carrier' });
    await call.answer();
    await fromCarrier.waitAnswered();
    await call.hangup();
    await fromCarrier.waitEnded();
  });
}
