// The /sip WebSocket and GET /api/phone on a real server: who may open it,
// REGISTER without a digest for the session's own login only, the registration
// gone the moment the socket closes, and hostile input that costs one message
// (or the one socket), never the server.

import t from 'tap';
import { queueWithDefaults } from '../../src/services/acd/model.js';
import { login, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { ADMIN_AUTH } from '../helpers.js';
import { SipWsClient, isResponseTo, registerRequest, statusOf } from './sip-ws-client.js';
import type { EmbeddedDriver } from '@tenor/telephony';

async function siteWithWebrtcAgent(opts: Parameters<typeof startAccessServer>[1] = {}): Promise<{ server: AccessServer; sipUrl: string; realm: string }> {
  const server = await startAccessServer(t, opts);
  await seedPeople(server);
  await server.services.get('users').create({ username: 'wes', password: 'wes-password', role: 'agent' });
  const acd = server.services.get('acd');
  await acd.saveQueue(queueWithDefaults({ name: 'web' }));
  await acd.saveAgent({ login: 'wes', name: 'Wes', device: { type: 'webrtc', autoAnswer: true }, skills: {}, queues: [{ queue: 'web', penalty: 0 }] });
  return { server, sipUrl: server.wsUrl.replace('/api/events', '/sip'), realm: server.services.get('sipCredentials').realm };
}

const registrar = (server: AccessServer) => (server.services.get('telephony') as EmbeddedDriver).registrar;

t.test('GET /api/phone says who has a browser phone, about the caller only', async (t) => {
  const { server, realm } = await siteWithWebrtcAgent();
  const wes = await login(server, 'wes');
  const res = await fetch(`${server.url}/api/phone`, { headers: { cookie: wes.cookie } });
  t.equal(res.status, 200);
  t.same(await res.json(), { enabled: true, user: 'wes', uri: `sip:wes@${realm}`, wsPath: '/sip', autoAnswer: true });
  const ann = await login(server, 'ann');
  const annPhone = (await (await fetch(`${server.url}/api/phone`, { headers: { cookie: ann.cookie } })).json()) as { enabled: boolean; user: string };
  t.same([annPhone.enabled, annPhone.user], [false, 'ann'], 'a softphone agent has no desktop phone, and sees only their own');
  const admin = (await (await fetch(`${server.url}/api/phone`, { headers: ADMIN_AUTH })).json()) as { enabled: boolean };
  t.equal(admin.enabled, false);
  t.equal((await fetch(`${server.url}/api/phone`)).status, 401, 'no session: 401');
});

t.test('the /sip upgrade is refused without a session, over Basic, for a supervisor and for an agent without a webrtc device', async (t) => {
  const { server, sipUrl } = await siteWithWebrtcAgent();
  const anonymous = new SipWsClient(t, sipUrl);
  t.equal(await anonymous.opened, false);
  t.equal(anonymous.refusedWith, 401);
  const basic = new SipWsClient(t, sipUrl, { authorization: 'Basic ' + Buffer.from('wes:wes-password').toString('base64') });
  t.equal(await basic.opened, false);
  t.equal(basic.refusedWith, 401, 'Basic credentials are not a desktop session');
  const sue = await login(server, 'sue');
  const supervisor = new SipWsClient(t, sipUrl, { cookie: sue.cookie });
  t.equal(await supervisor.opened, false);
  t.equal(supervisor.refusedWith, 403, 'a supervisor has no webrtc device');
  const ann = await login(server, 'ann');
  const softphoneAgent = new SipWsClient(t, sipUrl, { cookie: ann.cookie });
  t.equal(await softphoneAgent.opened, false);
  t.equal(softphoneAgent.refusedWith, 403, 'an agent whose device is a softphone');
  const wes = await login(server, 'wes');
  const otherSite = new SipWsClient(t, sipUrl, { cookie: wes.cookie, origin: 'https://evil.example' });
  t.equal(await otherSite.opened, false);
  t.equal(otherSite.refusedWith, 403, 'a page of another site cannot use the cookie');
  const noProtocol = new SipWsClient(t, sipUrl, { cookie: wes.cookie, protocol: false });
  t.equal(await noProtocol.opened, false, 'without the "sip" subprotocol');
});

t.test('REGISTER over /sip binds the session\'s own login without a challenge; another login is 403; closing removes it', async (t) => {
  const { server, sipUrl, realm } = await siteWithWebrtcAgent();
  const wes = await login(server, 'wes');
  const phone = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await phone.opened, true);
  t.equal(phone.ws.protocol, 'sip');

  phone.send(registerRequest('ann', realm, { callId: 'reg-ann' }));
  t.equal(statusOf(await phone.next(isResponseTo('REGISTER', 'reg-ann'))), 403, "another agent's login is refused");
  t.equal(registrar(server)?.lookup('ann').length, 0);

  phone.send(registerRequest('wes', realm, { callId: 'reg-wes' }));
  const ok = await phone.next(isResponseTo('REGISTER', 'reg-wes'));
  t.equal(statusOf(ok), 200, 'accepted without a digest challenge');
  t.match(ok, /^Via: SIP\/2\.0\/WSS [0-9a-f]+\.invalid;.*received=127\.0\.0\.1/m, 'the response goes back over the socket with the received address');
  const bindings = registrar(server)?.lookup('wes') ?? [];
  t.equal(bindings.length, 1);
  t.equal(bindings[0]?.source.transport, 'ws');

  phone.send('\r\n\r\n');
  await phone.next((text) => text === '\r\n');
  t.pass('a CRLF keep-alive gets its pong');

  phone.ws.close();
  await phone.closed();
  const deadline = Date.now() + 2000;
  while ((registrar(server)?.lookup('wes').length ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(registrar(server)?.lookup('wes').length, 0, 'the registration goes with the socket');
});

t.test('a malformed message gets 400 and the socket stays; an oversized one closes that socket only', async (t) => {
  const { server, sipUrl, realm } = await siteWithWebrtcAgent();
  const wes = await login(server, 'wes');
  const phone = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await phone.opened, true);
  const broken = registerRequest('wes', realm, { callId: 'broken-1' }).replace('CSeq: 1 REGISTER', 'CSeq: one REGISTER');
  phone.send(broken);
  const rejected = await phone.next((m) => statusOf(m) !== undefined && m.includes('broken-1'));
  t.equal(statusOf(rejected), 400, 'an unreadable CSeq is answered 400');
  phone.send(registerRequest('wes', realm, { callId: 'after-broken' }));
  t.equal(statusOf(await phone.next(isResponseTo('REGISTER', 'after-broken'))), 200, 'the same socket still serves');

  phone.send('REGISTER sip:x SIP/2.0\r\nVia: ' + 'a'.repeat(70 * 1024) + '\r\n\r\n');
  t.equal(await phone.closed(), 1009, 'a message over 64 KiB closes the socket (message too big)');

  const again = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await again.opened, true, 'the server keeps serving');
  again.send(registerRequest('wes', realm, { callId: 'again' }));
  t.equal(statusOf(await again.next(isResponseTo('REGISTER', 'again'))), 200);
  t.equal((await fetch(`${server.url}/health`)).status, 200);
});

t.test('signing out closes the phone\'s socket and its registration goes', async (t) => {
  const { server, sipUrl, realm } = await siteWithWebrtcAgent();
  const wes = await login(server, 'wes');
  const phone = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await phone.opened, true);
  phone.send(registerRequest('wes', realm, { callId: 'before-logout' }));
  t.equal(statusOf(await phone.next(isResponseTo('REGISTER', 'before-logout'))), 200);
  const out = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: wes.cookie, 'x-csrf-token': wes.csrf } });
  t.ok(out.status < 300, `logout answered ${out.status}`);
  t.equal(await phone.closed(), 4401, 'closed with 4401 (session ended)');
  const deadline = Date.now() + 2000;
  while ((registrar(server)?.lookup('wes').length ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(registrar(server)?.lookup('wes').length, 0);
});

t.test("a web session that expires closes its phone's socket, and the registration goes", async (t) => {
  const { server, sipUrl, realm } = await siteWithWebrtcAgent({ webrtcPhone: { sessionCheckMs: 50 } });
  const wes = await login(server, 'wes');
  const phone = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await phone.opened, true);
  phone.send(registerRequest('wes', realm, { callId: 'before-expiry' }));
  t.equal(statusOf(await phone.next(isResponseTo('REGISTER', 'before-expiry'))), 200);
  server.clock.advance(29 * 60_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(registrar(server)?.lookup('wes').length, 1, 'registered while the session lives (SIP traffic does not keep it alive)');
  server.clock.advance(2 * 60_000);
  t.equal(await phone.closed(), 4401, 'idle expiry closes the socket with 4401');
  const deadline = Date.now() + 2000;
  while ((registrar(server)?.lookup('wes').length ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(registrar(server)?.lookup('wes').length, 0, 'the registration is gone');
  const refused = new SipWsClient(t, sipUrl, { cookie: wes.cookie });
  t.equal(await refused.opened, false, 'and the expired session cannot open it again');
});
