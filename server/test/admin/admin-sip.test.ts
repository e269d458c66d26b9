// The admin API's changes reach the running SIP engine without a restart:
// a trunk created and then re-pointed through the API carries the next call to
// the new destination (SIPp "carriers"), a registering trunk shows its
// registration state and unregisters when told to stop, and an entry number
// added through the API takes a SIPp caller into its queue at once (and
// refuses calls again once deleted).

import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasLiveTrunks } from '../../src/services/trunks/live-trunks.js';
import {
  describeSipp, freeUdpRange, freeUdpTcpPort, runSipp, startSipp, type SippProcess,
} from '../../../telephony/test/peers/index.js';
import { SipPeer } from '../../../telephony/test/contract/sip-peer.js';
import { getHeader } from '../../../telephony/src/embedded/sip/headers.js';
import { basic, startAccessServer, type AccessServer } from '../access/harness.js';
import { SCENARIOS } from '../acd-sip/site.js';
import { tempDir, testConfig } from '../helpers.js';

const ADMIN = basic('admin', 'pw-admin-secret');

async function put(server: AccessServer, url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${url}`, { method: 'PUT', headers: { authorization: ADMIN, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function trunkView(server: AccessServer, name: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(`${server.url}/api/trunks`, { headers: { authorization: ADMIN } });
  return ((await res.json()) as Record<string, unknown>[]).find((x) => x['name'] === name);
}

/** Tenor on real SIP and RTP ports, with queue `sales`, over real HTTP. */
async function startSipServer(t: Test): Promise<{ server: AccessServer; sip: string }> {
  const dir = tempDir(t, 'tenor-admin-sip-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({ queues: [{ name: 'sales' }] }));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(40, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  return { server: await startAccessServer(t, { config }), sip: `127.0.0.1:${sipPort}` };
}

/** A SIPp carrier answering every call and logging the number dialed (INVITE-NUMBER). */
async function carrier(t: Test): Promise<SippProcess> {
  const p = await startSipp({ scenario: 'uas-answer.xml', timeoutMs: 120_000 });
  t.teardown(async () => {
    await p.stop(2000);
  });
  await p.ready(10_000);
  return p;
}

async function waitFor(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('a trunk created, then re-pointed through the API carries the next outbound call', async (t) => {
  const { server } = await startSipServer(t);
  const driver = server.services.get('telephony');
  const first = await carrier(t);
  const second = await carrier(t);

  const created = await put(server, '/api/trunks/pstn', { host: '127.0.0.1', port: first.port });
  t.equal(created.status, 200, 'trunk pstn created');
  const call1 = await driver.originate({ kind: 'number', number: '+12024561111', trunk: 'pstn' }, { callerId: { number: '+15550001' }, timeoutMs: 10_000 });
  t.equal(call1.state, 'answered', 'the call through the new trunk is answered');
  await call1.hangup('normal');

  const edited = await put(server, '/api/trunks/pstn', { host: '127.0.0.1', port: second.port });
  t.equal(edited.json['port'], second.port, 'trunk pstn re-pointed');
  const call2 = await driver.originate({ kind: 'number', number: '+12024562222', trunk: 'pstn' }, { callerId: { number: '+15550001' }, timeoutMs: 10_000 });
  t.equal(call2.state, 'answered', 'the next call is answered too');
  await call2.hangup('normal');

  const [firstLog, secondLog] = await Promise.all([first.stop(2000), second.stop(2000)]);
  t.match(firstLog.logs, /INVITE-NUMBER \+12024561111/, 'the first carrier got the first call');
  t.notMatch(firstLog.logs, /\+12024562222/, 'and not the second');
  t.match(secondLog.logs, /INVITE-NUMBER \+12024562222/, 'the second carrier got the call placed after the edit');

  const del = await fetch(`${server.url}/api/trunks/pstn`, { method: 'DELETE', headers: { authorization: ADMIN } });
  t.equal(del.status, 204, 'trunk deleted');
  await t.rejects(driver.originate({ kind: 'number', number: '+12024563333', trunk: 'pstn' }, { timeoutMs: 5000 }), /no trunk named pstn/, 'a deleted trunk places no more calls');
});

t.test('a registering trunk shows its registration; turning registration off unregisters', async (t) => {
  const { server } = await startSipServer(t);
  t.ok(hasLiveTrunks(server.services.get('telephony')), 'the embedded engine, which applies trunk changes live');
  const registers: { expires: string | undefined }[] = [];
  let answer = 200;
  const registrar = await SipPeer.start({
    address: '127.0.0.1',
    onRequest: (req, tx) => {
      if (req.method !== 'REGISTER') return false;
      registers.push({ expires: getHeader(req, 'Expires') });
      tx.respond(answer, answer === 200 ? 'OK' : 'Forbidden', answer === 200 ? [{ name: 'Expires', value: '600' }] : []);
      return true;
    },
  });
  t.teardown(() => registrar.close());

  await put(server, '/api/trunks/reg', { host: '127.0.0.1', port: registrar.port, username: 'tenor', password: 'pw', register: true });
  await waitFor(async () => ((await trunkView(server, 'reg'))?.['registration'] as { state: string } | null)?.state === 'registered', 10_000, 'registered');
  t.same((await trunkView(server, 'reg'))?.['registration'], { state: 'registered', detail: 'expires in 600 s' }, 'registered, with the granted expiry');
  t.equal((await trunkView(server, 'reg'))?.['hasPassword'], true);

  answer = 403;
  await put(server, '/api/trunks/reg', { host: '127.0.0.1', port: registrar.port, username: 'other', register: true });
  await waitFor(async () => ((await trunkView(server, 'reg'))?.['registration'] as { state: string } | null)?.state === 'failed', 10_000, 'refused');
  t.same((await trunkView(server, 'reg'))?.['registration'], { state: 'failed', detail: 'refused: 403 Forbidden' }, 'a changed trunk registers again; the refusal shows');
  t.ok(registers.some((r) => r.expires === '0'), 'the old registration was removed first (Expires: 0)');
  // /health answers from checks run in the background: the failure shows within a round.
  const trunksHealth = async () => ((await (await fetch(`${server.url}/health`)).json()) as { services: Record<string, string> }).services['trunks'];
  await waitFor(async () => (await trunksHealth()) === 'degraded', 10_000, '/health degraded');
  t.equal(await trunksHealth(), 'degraded', 'the failing registration shows in /health (degraded, calls go on)');

  answer = 200;
  const count = registers.length;
  await put(server, '/api/trunks/reg', { host: '127.0.0.1', port: registrar.port, register: false });
  t.equal((await trunkView(server, 'reg'))?.['registration'], null, 'no registration once register is off');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(registers.slice(count).filter((r) => r.expires !== '0').length, 0, 'no REGISTER sent after registration was turned off');
});

t.test('an entry number added through the API takes a call into its queue at once; deleted, calls are refused', async (t) => {
  const { server, sip } = await startSipServer(t);
  const refused = () => runSipp({
    scenario: path.join(SCENARIOS, 'uac-call-expect-404.xml'), remote: sip, service: '+15550777', calls: 1, vars: { caller: '+31201110009' }, timeoutMs: 20_000,
  });
  const before = await refused();
  t.equal(before.code, 0, `before: refused with 404 (${describeSipp(before)})`);

  const added = await put(server, '/api/entry-numbers/+15550777', { queue: 'sales' });
  t.same(added.json, { number: '+15550777', flow: null, queue: 'sales', origin: 'api' }, 'number added');
  const bus = server.services.get('events');
  const queued = new Promise<{ queue: string; callId: string }>((resolve) => {
    const off = bus.subscribe('call_queued', (e) => {
      off();
      resolve(e.payload);
    });
  });
  const caller = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller.xml'), remote: sip, service: '+15550777', calls: 1, pauseMs: 1500, vars: { caller: '+31201110002' }, timeoutMs: 60_000,
  });
  t.teardown(async () => {
    await caller.stop(2000);
  });
  const inQueue = await Promise.race([queued, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no call_queued in 20 s')), 20_000))]);
  t.equal(inQueue.queue, 'sales', 'the caller waits in queue sales');
  const result = await caller.done;
  t.equal(result.code, 0, `the caller was answered and hung up (${describeSipp(result)})`);

  const del = await fetch(`${server.url}/api/entry-numbers/+15550777`, { method: 'DELETE', headers: { authorization: ADMIN } });
  t.equal(del.status, 204, 'number deleted');
  const after = await refused();
  t.equal(after.code, 0, `after: refused with 404 again (${describeSipp(after)})`);
});
