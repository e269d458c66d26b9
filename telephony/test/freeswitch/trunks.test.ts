// Tenor's trunks as FreeSWITCH gateways, changed while running: a number
// dialed through a carrier that challenges (407, digest checked) connects; a
// trunk removed is no longer dialed and its address no longer let in without a
// challenge; a trunk that registers does so with its digest, reports its state,
// reports a wrong password as failed, and is unregistered when removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { waitUntil } from '../../src/contract/steps.js';
import { OriginateError, type Call, type IncomingCall } from '../../src/driver.js';
import type { TrunkConfig } from '../../src/embedded/engine/trunks.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { DigestAuthenticator } from '../../src/embedded/registrar/digest-server.js';
import { Registrar } from '../../src/embedded/registrar/registrar.js';
import { registerInputFromRequest, responseForRegister } from '../../src/embedded/registrar/sip-register.js';
import { getHeader, getHeaders } from '../../src/embedded/sip/headers.js';
import type { SipRequest } from '../../src/embedded/sip/message.js';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { startFreeSwitchXmlServer } from '../../src/freeswitch/xml-curl-server.js';
import { SipPeer } from '../contract/sip-peer.js';
import { findEngineBuild } from '../engine-build.js';
import { describeSipp, startSipp } from '../peers/sipp.js';
import { Relay } from './esl-relay.js';

t.setTimeout(900_000);

const DOMAIN = 'tenor-trunks.test';
const logger = pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' });

/** A carrier that takes REGISTER for tenor-reg / reg-secret (digest, realm registrar.test). */
async function carrierRegistrar(t: Test, address: string): Promise<{ registrar: Registrar; home: SipPeer }> {
  const registrar = new Registrar({ realm: 'registrar.test', credentials: new InMemoryCredentialStore({ 'tenor-reg': 'reg-secret' }) });
  t.teardown(() => registrar.close());
  const home = await SipPeer.start({
    address,
    onRequest: (req, tx) => {
      if (req.method !== 'REGISTER') return false;
      const input = registerInputFromRequest(req, tx.source);
      if (!input) tx.respond(400);
      else void registrar.handle(input).then((outcome) => tx.send(responseForRegister(req, outcome, tx.localTag)));
      return true;
    },
  });
  t.teardown(() => home.close());
  return { registrar, home };
}

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH trunk test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-trunks-'));
  let driver: FreeSwitchDriver | undefined;
  // The directory serves the trunks the driver has now: what setTrunks sets.
  const xml = await startFreeSwitchXmlServer({ credentials: new InMemoryCredentialStore(), domain: DOMAIN, trunks: () => driver?.trunks ?? [], logger });
  const fs = await startFreeSwitch({ prefix: build.prefix, folder, xmlCurl: xml.binding, domain: DOMAIN, logger });
  const engine = new FreeSwitchDriver({
    eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, domain: DOMAIN, logger,
  });
  driver = engine;
  await engine.start();
  t.teardown(async () => {
    await engine.stop();
    await fs.stop();
    await xml.stop();
    await rm(folder, { recursive: true, force: true });
  });
  const destination = { transport: 'udp' as const, address: fs.address, port: fs.sipPort };

  t.test('a trunk added at run time dials through a carrier that challenges; removed, it is gone', async (t) => {
    const auth = new DigestAuthenticator({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ 'tenor-acct': 'trunk-secret' }), algorithms: ['MD5'] });
    const invites: SipRequest[] = [];
    let verified = false;
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
        // A wrong answer is refused; a right one falls through to the peer's default: ring and answer.
        void auth.verify(proxyAuth, 'INVITE').then((outcome) => {
          verified = outcome.ok;
          if (!outcome.ok) tx.respond(403, 'Forbidden');
        });
        return false;
      },
    });
    t.teardown(() => carrier.close());
    const trunk: TrunkConfig = {
      name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', username: 'tenor-acct', password: 'trunk-secret',
    };

    const before = await engine.originate({ kind: 'number', number: '+4930123456', trunk: 'carrier' }, { timeoutMs: 3000 }).then(() => undefined, (e: unknown) => e);
    t.ok(before instanceof OriginateError, 'no such gateway before the trunk is added');

    await engine.setTrunks([trunk]);
    t.same(engine.trunks.map((x) => x.name), ['carrier']);
    const call = await engine.originate({ kind: 'number', number: '+4930123456' }, { callerId: { number: '+15551234' }, timeoutMs: 10_000 });
    t.equal(call.state, 'answered', 'the carrier answered');
    t.equal(invites.length, 2, 'first INVITE challenged, the second answered the challenge');
    t.ok(verified, 'the digest answer verifies with the trunk\'s password');
    t.match(invites[1]?.uri, /^sip:\+4930123456@127\.0\.0\.2:\d+/, 'the dialed number at the carrier');
    const remote = await carrier.nextCall();
    await call.hangup();
    await remote.waitEnded();

    // From the trunk's address, a call comes in unchallenged as a trunk call.
    const incoming = new Promise<IncomingCall>((resolve) => engine.once('incoming', resolve));
    const fromCarrier = await carrier.call({ uri: `sip:5000@${fs.address}:${fs.sipPort}`, destination, from: '+4930555' });
    const inbound = await incoming;
    t.same(inbound.source, { kind: 'trunk', trunk: 'carrier' });
    await inbound.call.reject('busy');
    await fromCarrier.waitEnded();

    await engine.setTrunks([]);
    t.same(engine.trunks, []);
    const after = await engine.originate({ kind: 'number', number: '+4930123456', trunk: 'carrier' }, { timeoutMs: 3000 }).then(() => undefined, (e: unknown) => e);
    t.ok(after instanceof OriginateError, 'a removed trunk is not dialed');
    t.equal(invites.length, 2, 'the carrier saw nothing more');
    const challenged = await carrier.call({ uri: `sip:5000@${fs.address}:${fs.sipPort}`, destination, from: '+4930555' });
    t.same(await challenged.waitEnded(), { by: 'driver', refused: 'failed' }, 'its address is challenged again (407)');
  });

  t.test('SIPp as the carrier: its own digest check (401) passes, the number and caller ID arrive', async (t) => {
    const uas = await startSipp({
      scenario: 'uas-challenge-then-answer.xml', calls: 1, rtpEcho: true,
      vars: { user: 'tenor-sipp', password: 'sipp-secret' }, timeoutMs: 30_000,
    });
    t.teardown(() => uas.stop(500));
    await uas.ready();
    t.teardown(() => engine.setTrunks([]));
    await engine.setTrunks([{ name: 'sipp', host: '127.0.0.1', port: uas.port, transport: 'udp', username: 'tenor-sipp', password: 'sipp-secret' }]);
    const call = await engine.originate({ kind: 'number', number: '+4930999888', trunk: 'sipp' }, { callerId: { number: '+4940777000' }, timeoutMs: 10_000 });
    t.equal(call.state, 'answered');
    await call.hangup();
    const r = await uas.done;
    t.equal(r.code, 0, describeSipp(r));
    t.match(r.logs, /INVITE-NUMBER \+4930999888 /, 'the carrier got the dialed number');
    t.match(r.logs, /FROM \+4940777000 /, 'with our caller ID');
    t.match(r.logs, /AUTH ok user=tenor-sipp/, 'and a digest answer SIPp verifies');
  });

  t.test('a trunk that registers: registered, a wrong password fails, removed it unregisters', async (t) => {
    const { registrar, home } = await carrierRegistrar(t, '127.0.0.3');
    const trunk: TrunkConfig = {
      name: 'home', host: '127.0.0.3', port: home.port, transport: 'udp', username: 'tenor-reg', password: 'reg-secret', register: true, registerExpires: 120,
    };
    await engine.setTrunks([trunk]);
    // The REGISTER may already have gone through by the time setTrunks returns.
    t.ok(['registering', 'registered'].includes(engine.trunkRegistration('home')?.state ?? ''), 'a state at once');
    await waitUntil(() => engine.trunkRegistration('home')?.state === 'registered', 15_000, 'registered');
    t.equal(registrar.lookup('tenor-reg').length, 1, 'FreeSWITCH\'s contact is bound at the carrier');
    t.match(registrar.lookup('tenor-reg')[0]?.contact, /gw\+home@127\.0\.0\.1/, 'the gateway\'s contact');

    await engine.setTrunks([{ ...trunk, password: 'not-the-secret' }]);
    await waitUntil(() => engine.trunkRegistration('home')?.state === 'failed', 15_000, 'failed');
    t.match(engine.trunkRegistration('home')?.detail, /refused|failed/, `why: ${engine.trunkRegistration('home')?.detail}`);
    await waitUntil(() => registrar.lookup('tenor-reg').length === 0, 15_000, 'old binding removed');
    t.pass('the changed gateway\'s old binding was unregistered');

    await engine.setTrunks([trunk]);
    await waitUntil(() => engine.trunkRegistration('home')?.state === 'registered', 15_000, 'registered again');
    await engine.setTrunks([]);
    t.equal(engine.trunkRegistration('home'), undefined, 'a removed trunk has no registration');
    await waitUntil(() => registrar.lookup('tenor-reg').length === 0, 15_000, 'unregistered');
    t.pass('removing the trunk unregistered it at the carrier');

    // Tenor restarted against a FreeSWITCH that ran on: the new driver adds its gateways again, its stop removes them.
    const next = new FreeSwitchDriver({
      eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, domain: DOMAIN, trunks: [trunk], logger,
    });
    driver = next;
    t.teardown(async () => { driver = engine; await next.stop(); });
    await next.start();
    await waitUntil(() => next.trunkRegistration('home')?.state === 'registered', 15_000, 'registered by the next driver');
    t.equal(registrar.lookup('tenor-reg').length, 1, 'bound at the carrier again');
    await next.stop();
    t.equal(next.trunkRegistration('home')?.state, 'stopped');
    await waitUntil(() => registrar.lookup('tenor-reg').length === 0, 15_000, 'unregistered at stop');
    t.pass('the driver\'s stop unregistered the trunk at the carrier');
  });

  t.test('trunks changed while the event socket is down take effect once it is back', async (t) => {
    const relay = new Relay(fs.eventSocket);
    const relayPort = await relay.listen();
    t.teardown(() => relay.close());
    const first = await SipPeer.start({ address: '127.0.0.6' });
    const second = await SipPeer.start({ address: '127.0.0.7' });
    t.teardown(async () => { await first.close(); await second.close(); });
    const a: TrunkConfig = { name: 'first', host: '127.0.0.6', port: first.port, transport: 'udp' };
    const b: TrunkConfig = { name: 'second', host: '127.0.0.7', port: second.port, transport: 'udp' };
    const relayed = new FreeSwitchDriver({
      eventSocket: { ...fs.eventSocket, host: '127.0.0.1', port: relayPort },
      profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, domain: DOMAIN, trunks: [a], logger,
    });
    driver = relayed;
    t.teardown(async () => { driver = engine; await relayed.stop(); });
    await relayed.start();
    const viaFirst = await relayed.originate({ kind: 'number', number: '5550001', trunk: 'first' }, { timeoutMs: 10_000 });
    t.equal(viaFirst.state, 'answered', 'the first trunk works');
    await viaFirst.hangup();

    relay.cut(true);
    await waitUntil(() => relayed.stats().link === 'down', 5000, 'link down');
    await relayed.setTrunks([b]);
    t.same(relayed.trunks.map((x) => x.name), ['second'], 'the table changes at once');
    relay.unblock();
    await waitUntil(() => relayed.stats().link === 'up', 15_000, 'link back');
    // The reconnect brings FreeSWITCH in line in the background: wait until the new gateway answers.
    const deadline = Date.now() + 10_000;
    let viaSecond: Call | undefined;
    while (!viaSecond) {
      viaSecond = await relayed.originate({ kind: 'number', number: '5550002', trunk: 'second' }, { timeoutMs: 5000 }).catch((err: unknown) => {
        if (Date.now() > deadline) throw err;
        return undefined;
      });
      if (!viaSecond) await new Promise((r) => setTimeout(r, 200));
    }
    t.equal(viaSecond.state, 'answered', 'the trunk added while the link was down is a gateway now');
    await viaSecond.hangup();
    const gone = await relayed.originate({ kind: 'number', number: '5550003', trunk: 'first' }, { timeoutMs: 3000 }).then(() => undefined, (e: unknown) => e);
    t.ok(gone instanceof OriginateError, 'the trunk removed while the link was down is no longer dialed');
  });

  t.test('without Tenor\'s directory: FreeSWITCH\'s own gateways, whose registration the driver reads', async (t) => {
    const { registrar, home } = await carrierRegistrar(t, '127.0.0.5');
    const ownFolder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-gw-'));
    const trunk: TrunkConfig = { name: 'own', host: '127.0.0.5', port: home.port, transport: 'udp', username: 'tenor-reg', password: 'reg-secret', register: true };
    const own = await startFreeSwitch({ prefix: build.prefix, folder: ownFolder, gateways: [trunk], logger });
    t.teardown(async () => { await own.stop(); await rm(ownFolder, { recursive: true, force: true }); });
    await waitUntil(() => registrar.lookup('tenor-reg').length === 1, 15_000, 'the static gateway registered');
    const plain = new FreeSwitchDriver({
      eventSocket: own.eventSocket, profile: own.profile, sipAddress: own.address, sipPort: own.sipPort, trunks: [{ name: 'own', inboundAddresses: ['127.0.0.5'] }], logger,
    });
    await plain.start();
    t.teardown(() => plain.stop());
    await plain.setTrunks([trunk]);
    // Read at once (FreeSWITCH may still be taking the carrier's 200), then followed by its events.
    await waitUntil(() => plain.trunkRegistration('own')?.state === 'registered', 15_000, 'registered');
    t.pass('the driver reports the state FreeSWITCH has');
    await plain.stop();
    t.equal(registrar.lookup('tenor-reg').length, 1, 'a FreeSWITCH\'s own gateway is left alone at stop');
  });
}
