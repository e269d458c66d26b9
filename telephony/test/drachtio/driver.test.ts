// What the drachtio driver does at the edge beyond the shared contract suite:
// phones REGISTER with Tenor's credentials (the embedded registrar's digest
// rules) and are called as devices; numbers go out through a carrier that
// wants digest credentials; and nothing reaches the application around the
// edge (a call sent to FreeSWITCH directly, a forged leg header).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { IncomingCall } from '../../src/driver.js';
import { DrachtioDriver } from '../../src/drachtio/driver.js';
import { startDrachtio } from '../../src/drachtio/process.js';
import {
  DigestAuthenticator, InMemoryCredentialStore, Registrar, registerInputFromRequest, responseForRegister,
} from '../../src/embedded/registrar/index.js';
import { getHeader, getHeaders } from '../../src/embedded/sip/headers.js';
import type { SipRequest } from '../../src/embedded/sip/message.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { SipPeer } from '../contract/sip-peer.js';
import { findEngineBuild } from '../engine-build.js';
import { describeSipp, runSipp } from '../peers/sipp.js';
import { registerContact } from '../peers/register-client.js';

t.setTimeout(1_500_000);
const WAIT = 10_000;

const [fsBuild, drachtioBuild] = [await findEngineBuild('freeswitch'), await findEngineBuild('drachtio')];
if ('missing' in fsBuild || 'missing' in drachtioBuild) {
  const missing = 'missing' in fsBuild ? fsBuild.missing : 'missing' in drachtioBuild ? drachtioBuild.missing : '';
  if (process.env['CI'] === 'true') t.fail(`${missing}: the drachtio driver tests must run in CI`);
  else t.plan(0, `skipped: ${missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-drachtio-driver-'));
  const freeswitch = await startFreeSwitch({ prefix: fsBuild.prefix, folder: join(folder, 'freeswitch'), mediaTimeoutMs: 5000 });
  t.teardown(() => freeswitch.stop());
  let drachtio = await startDrachtio({ prefix: drachtioBuild.prefix, folder: join(folder, 'drachtio') });
  t.teardown(async () => {
    await drachtio.stop();
    await rm(folder, { recursive: true, force: true });
  });

  // The carrier: asks every new INVITE for digest credentials (407), answers the authenticated one.
  const carrierAuth = new DigestAuthenticator({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ tenor: 'trunk-secret' }) });
  const carrierInvites: SipRequest[] = [];
  // The carrier's registrar: the trunk registers with it as "tenor".
  const carrierRegistrar = new Registrar({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ tenor: 'trunk-secret' }) });
  t.teardown(() => carrierRegistrar.close());
  const carrier = await SipPeer.start({
    address: '127.0.0.2',
    modeFor: () => ({ kind: 'answer' }),
    onRequest: (req, tx) => {
      if (req.method === 'REGISTER') {
        const input = registerInputFromRequest(req, tx.source);
        if (!input) tx.respond(400);
        else void carrierRegistrar.handle(input).then((outcome) => tx.send(responseForRegister(req, outcome, tx.localTag)));
        return true;
      }
      if (req.method !== 'INVITE' || getHeader(req, 'To')?.includes('tag=')) return false;
      carrierInvites.push(req);
      const answer = getHeaders(req, 'Proxy-Authorization');
      if (answer.length === 0) {
        tx.respond(407, 'Proxy Authentication Required', carrierAuth.challenges().map((value) => ({ name: 'Proxy-Authenticate', value })));
        return true;
      }
      void carrierAuth.verify(answer, 'INVITE').then((outcome) => {
        if (!outcome.ok) tx.respond(403, 'Forbidden');
      });
      return false;
    },
  });
  t.teardown(() => carrier.close());
  const phone = await SipPeer.start({ address: '127.0.0.1' });
  t.teardown(() => phone.close());

  const carrierTrunk = {
    name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp' as const, username: 'tenor', password: 'trunk-secret', register: true,
  };
  const driver = new DrachtioDriver({
    drachtio: drachtio.admin,
    edge: { address: drachtio.address, port: drachtio.sipPort },
    freeswitch: { eventSocket: freeswitch.eventSocket, profile: freeswitch.profile, address: freeswitch.address, port: freeswitch.sipPort },
    trunks: [carrierTrunk],
    registrar: { realm: 'tenor.test', credentials: new InMemoryCredentialStore({ alice: 'alice-password', bob: 'bob-password' }) },
    workDir: folder,
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const registrar = `${drachtio.address}:${drachtio.sipPort}`;

  t.test('a phone registers at the edge with its Tenor credentials and is called as a device', async (t) => {
    const reply = await registerContact({ registrar, user: 'alice', password: 'alice-password', contact: `sip:answer@127.0.0.1:${phone.port}` });
    t.equal(reply.status, 200, 'REGISTER accepted after the digest challenge');
    t.ok(reply.headers.some((h) => h.startsWith('Contact:') && h.includes(`127.0.0.1:${phone.port}`)), 'the binding is listed in the 200');
    const call = await driver.originate({ kind: 'device', user: 'alice' }, { callerId: { number: '+15550100' }, timeoutMs: WAIT });
    const ringing = await phone.nextCall(WAIT);
    t.ok(ringing.answered, 'the phone was called and answered');
    t.equal(call.state, 'answered');
    const ended = new Promise((resolve) => call.once('hangup', resolve));
    await ringing.hangup();
    t.equal(await ended, 'normal', 'the phone hanging up ends the call');
  });

  t.test('a call from a phone, where it registered from, is raised as that device', async (t) => {
    // A free port, used first to register from and then to call from.
    const probe = await SipPeer.start({ address: '127.0.0.1' });
    const port = probe.port;
    await probe.close();
    const reply = await registerContact({ registrar, user: 'bob', password: 'bob-password', contact: `sip:bob@127.0.0.1:${port}`, localPort: port });
    t.equal(reply.status, 200);
    const bobPhone = await SipPeer.start({ address: '127.0.0.1', port });
    t.teardown(() => bobPhone.close());
    const raised = new Promise<IncomingCall>((resolve) => driver.once('incoming', resolve));
    const calling = await bobPhone.call({
      uri: `sip:5000@${drachtio.address}:${drachtio.sipPort}`,
      destination: { transport: 'udp', address: drachtio.address, port: drachtio.sipPort },
      from: 'bob',
    });
    const incoming = await raised;
    t.same(incoming.source, { kind: 'device', user: 'bob' });
    await incoming.call.reject('busy');
    t.match(await calling.waitEnded(WAIT), { by: 'driver', refused: 'busy' });
    const unregistered = await registerContact({ registrar, user: 'bob', password: 'bob-password', contact: `sip:bob@127.0.0.1:${port}`, expires: 0 });
    t.equal(unregistered.status, 200, 'bob unregisters');
    t.equal(driver.registrar?.lookup('bob').length, 0);
  });

  t.test('wrong credentials and unknown users bind nothing', async (t) => {
    const wrong = await registerContact({ registrar, user: 'bob', password: 'guessed', contact: 'sip:mallory@127.0.0.1:5999' });
    t.not(wrong.status, 200, `a wrong password is refused (${wrong.status})`);
    t.equal(driver.registrar?.lookup('bob').length, 0, 'no binding for bob');
    const unknown = await registerContact({ registrar, user: 'mallory', password: 'anything', contact: 'sip:mallory@127.0.0.1:5999' });
    t.not(unknown.status, 200, `an unknown user is refused (${unknown.status})`);
    const err = await driver.originate({ kind: 'device', user: 'bob' }, { timeoutMs: 2000 }).then(() => undefined, (e: unknown) => e);
    t.match(err, { hangupCause: 'unreachable' }, 'an unregistered device is unreachable');
  });

  t.test('a trunk with register: true registers the edge with the carrier, answering its challenge', async (t) => {
    await waitFor(() => carrierRegistrar.lookup('tenor').length === 1, 'the trunk\'s registration');
    t.match(carrierRegistrar.lookup('tenor')[0]?.contact, new RegExp(`^sip:tenor@${drachtio.address.replace(/\./g, '\\.')}:${drachtio.sipPort}$`),
      'the edge\'s address is bound at the carrier');
    t.equal(driver.trunkRegistration('carrier')?.state, 'registered');
  });

  t.test('a number goes out through the trunk, answering the carrier\'s digest challenge', async (t) => {
    carrierInvites.length = 0;
    const call = await driver.originate({ kind: 'number', number: '+4930123456' }, {
      callerId: { number: '+15551234' }, timeoutMs: WAIT, headers: { 'X-Campaign': 'spring' },
    });
    t.equal(call.state, 'answered');
    t.equal(carrierInvites.length, 2, 'first INVITE challenged, the second authenticated');
    const second = carrierInvites[1];
    t.equal(second?.uri, `sip:+4930123456@127.0.0.2:${carrier.port}`, 'Request-URI is the number at the trunk');
    t.match(second ? getHeader(second, 'From') : '', /sip:\+15551234@/, 'caller ID in From');
    t.equal(second ? getHeader(second, 'X-Campaign') : undefined, 'spring', 'the application\'s header reaches the carrier');
    t.equal(second ? getHeader(second, 'X-Tenor-Leg') : 'none', undefined, 'the edge\'s own header does not leave it');
    const remote = await carrier.nextCall(WAIT);
    const ended = new Promise((resolve) => call.once('hangup', resolve));
    await remote.hangup();
    t.equal(await ended, 'normal');
  });

  t.test('nothing reaches the application around the edge', async (t) => {
    const raised: IncomingCall[] = [];
    const onIncoming = (incoming: IncomingCall): void => { raised.push(incoming); };
    driver.on('incoming', onIncoming);
    t.teardown(() => driver.off('incoming', onIncoming));

    const direct = await phone.call({
      uri: `sip:5000@${freeswitch.address}:${freeswitch.sipPort}`,
      destination: { transport: 'udp', address: freeswitch.address, port: freeswitch.sipPort },
      from: '+15550199',
    });
    t.match(await direct.waitEnded(WAIT), { by: 'driver', refused: 'unreachable' }, 'a call sent to FreeSWITCH directly is refused');
    t.equal(raised.length, 0, 'and never raised');

    const forged = await phone.call({
      uri: `sip:5000@${drachtio.address}:${drachtio.sipPort}`,
      destination: { transport: 'udp', address: drachtio.address, port: drachtio.sipPort },
      from: '+15550198',
      headers: [{ name: 'X-Tenor-Leg', value: 'forged' }, { name: 'X-Campaign', value: 'spring' }],
    });
    const deadline = Date.now() + WAIT;
    while (raised.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const incoming = raised[0];
    t.ok(incoming, 'a call through the edge is raised');
    t.equal(incoming?.headers['x-tenor-leg'], undefined, 'a forged leg header is not passed on');
    t.equal(incoming?.headers['x-campaign'], 'spring');
    await incoming?.call.reject('busy');
    t.match(await forged.waitEnded(WAIT), { by: 'driver', refused: 'busy' });
  });

  t.test('a caller\'s hold and resume (re-INVITEs) reach FreeSWITCH and its answers come back', async (t) => {
    const ended = new Promise<string>((resolve) => {
      driver.once('incoming', ({ call }) => {
        call.once('hangup', resolve);
        void call.answer();
      });
    });
    const r = await runSipp({
      scenario: 'uac-call-hold-reinvite.xml', remote: `${drachtio.address}:${drachtio.sipPort}`, service: '6003', calls: 1,
      pauseMs: 700, timeoutMs: 20_000,
    });
    t.equal(r.code, 0, describeSipp(r));
    t.match(r.logs, /HOLD-ANSWER (recvonly|inactive)/, `hold answered by FreeSWITCH recvonly or inactive: ${r.logs}`);
    // FreeSWITCH's answer to the resume names no direction, which means sendrecv (RFC 4566).
    t.match(r.logs, /UNHOLD-ANSWER (sendrecv)? /, `resume answered sendrecv: ${r.logs}`);
    t.equal(await ended, 'normal', 'the call lasted until the caller\'s BYE');
  });

  t.test('start fails at once when drachtio-server refuses the secret', async (t) => {
    const intruder = new DrachtioDriver({
      drachtio: { ...drachtio.admin, secret: 'cymru' },
      edge: { address: drachtio.address, port: drachtio.sipPort },
      freeswitch: { eventSocket: freeswitch.eventSocket, profile: freeswitch.profile, address: freeswitch.address, port: freeswitch.sipPort },
    });
    const started = Date.now();
    const err = await intruder.start().then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof Error, `start rejects (${err instanceof Error ? err.message : String(err)})`);
    t.ok(Date.now() - started < 10_000, 'at once, not after the login timeout');
    t.equal(intruder.stats().link, 'down');
  });

  t.test('a lost link to drachtio-server shows in stats and comes back by itself', async (t) => {
    t.equal(driver.stats().link, 'up');
    const { sipPort, admin } = drachtio;
    await drachtio.stop();
    await waitFor(() => driver.stats().link === 'down', 'link down');
    t.equal(driver.stats().link, 'down', 'the lost edge is reported (health)');
    drachtio = await startDrachtio({
      prefix: drachtioBuild.prefix, folder: join(folder, 'drachtio'), sipPort, adminPort: admin.port, secret: admin.secret,
    });
    await waitFor(() => driver.stats().link === 'up', 'link back');
    t.equal(driver.stats().link, 'up', 'drachtio-srf logged in again');
    const reply = await registerContact({ registrar, user: 'alice', password: 'alice-password', contact: `sip:answer@127.0.0.1:${phone.port}` });
    t.equal(reply.status, 200, 'the edge serves again');
  });
  t.test('setTrunks: a removed trunk is unregistered and dials nothing; added again, it registers again', async (t) => {
    await driver.setTrunks([]);
    t.equal(carrierRegistrar.lookup('tenor').length, 0, 'the carrier no longer holds the edge\'s binding');
    t.equal(driver.trunkRegistration('carrier'), undefined);
    const err = await driver.originate({ kind: 'number', number: '+4930123456', trunk: 'carrier' }, { timeoutMs: 2000 }).then(() => undefined, (e: unknown) => e);
    t.match(err, { hangupCause: 'unreachable' }, 'a number through the removed trunk is unreachable');
    await t.rejects(driver.setTrunks([carrierTrunk, carrierTrunk]), /share a name/, 'two trunks of one name are refused');
    await driver.setTrunks([carrierTrunk]);
    await waitFor(() => carrierRegistrar.lookup('tenor').length === 1, 'the registration again');
    t.same(driver.trunks.map((tr) => tr.name), ['carrier']);
  });

  t.test('stop unregisters the trunk from the carrier', async (t) => {
    await driver.stop();
    t.equal(carrierRegistrar.lookup('tenor').length, 0, 'the carrier no longer holds the edge\'s binding');
    t.equal(driver.trunkRegistration('carrier'), undefined, 'no registration left');
  });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
