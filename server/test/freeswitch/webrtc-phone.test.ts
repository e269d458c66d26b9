// The browser phone on FreeSWITCH (telephony.driver: freeswitch, a FreeSWITCH
// Tenor starts): a webrtc agent's werift peer, the same one the embedded test
// uses, signs in through the web session and registers over /sip; Tenor relays
// the socket to FreeSWITCH's WebSocket binding and answers FreeSWITCH's digest
// challenge itself, so the phone sends no secret. A SIPp caller from the
// carrier dials the entry number and is queued; the ACD rings the phone
// registered at FreeSWITCH with a WebRTC offer, and audio goes both ways
// through DTLS-SRTP (700 Hz from the caller heard in the phone; the phone's
// 1000 Hz found in the RTP FreeSWITCH sends the caller). Then: the relay keeps
// the identity (another login's REGISTER, a call From someone else, a BYE for
// a dialog not its own: 403, never reaching FreeSWITCH), and a phone whose
// WebSocket closes during a call leaves the agent on break "line lost" with
// the caller first in line again.
import t, { type Test } from 'tap';
import path from 'node:path';
import WebSocket from 'ws';
import { makeToneUlaw, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { WebrtcPhone, tonePower, type SipChannel } from '../../../telephony/test/peers/webrtc-phone.js';
import { decodeUlaw } from '../../../telephony/src/embedded/media/g711.js';
import { tempDir } from '../helpers.js';
import { caller, finished, startSite, type Site } from '../acd-sip/site.js';
import { freeSwitchEngine, runsOn } from '../engines/engine.js';
import { SipWsClient, isResponseTo, registerRequest, statusOf } from '../webrtc/sip-ws-client.js';

t.setTimeout(600_000);

/** The caller's address: a carrier trunk's, where its SIPp runs; one no other test uses, so the capture holds this call only. */
const CARRIER = '127.0.0.41';

const engine = await freeSwitchEngine();

const SITE = engine.site({
  queues: [{ name: 'web', ringTimeoutSeconds: 20 }],
  agents: [
    { login: 'wes', name: 'Wes', password: 'wes-web-password', device: { type: 'webrtc' }, queues: [{ queue: 'web' }] },
    { login: 'vic', name: 'Vic', password: 'vic-web-password', device: { type: 'webrtc' }, queues: [{ queue: 'web' }] },
  ],
  entryNumbers: [{ number: '+15550177', queue: 'web' }],
  trunks: [{ name: 'carrier', host: CARRIER, inboundAddresses: [CARRIER] }],
});

interface Online {
  phone: WebrtcPhone;
  ws: WebSocket;
  base: string;
  cookie: string;
  realm: string;
}

async function signIn(s: Site, login: string, password: string): Promise<{ base: string; cookie: string }> {
  if (!s.app.server.listening) await s.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.app.server.address();
  const base = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const res = await fetch(`http://${base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login, password }),
  });
  if (res.status !== 200) throw new Error(`${login} could not sign in: ${res.status}`);
  return { base, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
}

/** The agent's phone as the desktop brings it up: GET /api/phone, then /sip with the session cookie, then REGISTER. */
async function phoneOnline(t: Test, s: Site, login: string, password: string): Promise<Online> {
  const { base, cookie } = await signIn(s, login, password);
  const info = await fetch(`http://${base}/api/phone`, { headers: { cookie } }).then((r) => r.json()) as { enabled: boolean; user: string; uri: string };
  t.match(info, { enabled: true, user: login }, 'GET /api/phone says the same as on the embedded engine');
  const realm = info.uri.split('@')[1] ?? '';
  const ws = new WebSocket(`ws://${base}/sip`, 'sip', { headers: { cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  t.teardown(() => ws.terminate());
  const channel: SipChannel = { send: (text) => ws.send(text), onMessage: (l) => ws.on('message', (data) => l(String(data))) };
  const phone = new WebrtcPhone(channel, login, realm);
  t.teardown(() => phone.close());
  t.equal(await phone.register(), 200, `${login}'s phone registers at FreeSWITCH through /sip, without a secret of its own`);
  return { phone, ws, base, cookie, realm };
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('a queued caller reaches the WebRTC agent on FreeSWITCH: audio both ways through DTLS-SRTP, hang-up', engine.options, async (t) => {
  const s = await startSite(t, SITE);
  runsOn(t, engine, s.engine);
  const { phone } = await phoneOnline(t, s, 'wes', 'wes-web-password');
  await s.setState('wes', 'ready');
  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: 700 });
  const capture = await startCapture({ filter: `udp and host ${CARRIER}`, snaplen: 400 });
  t.teardown(() => capture.dispose());
  const sipp = await caller(t, s, { number: '+15550177', caller: '+31201110077', stayMs: 30_000, toneFile: tone, localAddress: CARRIER });
  const invite = await phone.answer(30_000);
  // FreeSWITCH writes the secure AVPF profile as RTP/SAVPF (browsers take it as DTLS-SRTP by its fingerprint).
  t.match(invite, /^m=audio \d+ (?:UDP\/TLS\/)?RTP\/SAVPF /m, 'FreeSWITCH rings the phone with a WebRTC offer');
  t.match(invite, /^a=fingerprint:sha-256 /mi, 'DTLS: a fingerprint');
  t.match(invite, /^a=ice-ufrag:/m, 'ICE credentials');
  t.match(invite, /^a=rtcp-mux/m, 'RTCP multiplexed');
  await s.bus.wait('call_answered', () => true, 30_000);
  phone.sendTone(1000);
  await until('the caller\'s 700 Hz tone in the phone', () => phone.dominantTone([700, 1000]) === 700, 20_000);
  t.pass('the phone hears the caller (700 Hz, decrypted from DTLS-SRTP)');
  await new Promise((r) => setTimeout(r, 2000));
  phone.hangup();
  await s.bus.wait('call_ended', () => true, 20_000);
  phone.stopTone();
  const { packets } = await capture.stop();
  const toCaller = rtpPackets(packets).filter((p) => p.dstPort === sipp.mediaPort && p.payloadType === 0);
  const pcm = Int16Array.from(toCaller.slice(-75).flatMap((p) => [...decodeUlaw(p.payload)]));
  t.ok(pcm.length >= 8000, `${toCaller.length} PCMU packets went to the caller`);
  t.ok(tonePower(pcm, 1000) > 0.3 && tonePower(pcm, 1000) > 10 * tonePower(pcm, 700),
    `the caller hears the phone's 1000 Hz (power ${tonePower(pcm, 1000).toFixed(2)} vs 700 Hz ${tonePower(pcm, 700).toFixed(2)})`);
  await finished(sipp, 'the caller').catch(() => undefined);
});

t.test('the relay keeps the identity: another login\'s REGISTER, a call From someone else, a BYE outside its dialogs get 403', engine.options, async (t) => {
  const s = await startSite(t, SITE);
  const { base, cookie } = await signIn(s, 'wes', 'wes-web-password');
  const client = new SipWsClient(t, `ws://${base}/sip`, { cookie });
  t.ok(await client.opened, 'wes opens /sip');
  const realm = 'tenor.invalid';

  const forVic = registerRequest('vic', realm, { callId: 'reg-as-vic' });
  client.send(forVic);
  t.equal(statusOf(await client.next(isResponseTo('REGISTER', 'reg-as-vic'), 10_000)), 403, 'a REGISTER for vic over wes\'s socket: 403');

  // From vic, To wes: the To is wes but the From is not.
  const mixed = registerRequest('wes', realm, { callId: 'reg-from-vic' }).replace(/^From: <sip:wes@/m, 'From: <sip:vic@');
  client.send(mixed);
  t.equal(statusOf(await client.next(isResponseTo('REGISTER', 'reg-from-vic'), 10_000)), 403, 'a REGISTER From vic: 403');

  const invite = [
    `INVITE sip:+15550177@${realm} SIP/2.0`, 'Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKforged1', 'Max-Forwards: 70',
    `To: <sip:+15550177@${realm}>`, `From: <sip:vic@${realm}>;tag=f1`, 'Call-ID: invite-as-vic', 'CSeq: 1 INVITE',
    'Contact: <sip:x@x.invalid;transport=ws>', 'Content-Length: 0', '', '',
  ].join('\r\n');
  client.send(invite);
  t.equal(statusOf(await client.next(isResponseTo('INVITE', 'invite-as-vic'), 10_000)), 403, 'an INVITE From vic: 403');

  const bye = [
    `BYE sip:someone@${realm} SIP/2.0`, 'Via: SIP/2.0/WSS x.invalid;branch=z9hG4bKforged2', 'Max-Forwards: 70',
    `To: <sip:someone@${realm}>;tag=theirs`, `From: <sip:wes@${realm}>;tag=mine`, 'Call-ID: someone-elses-call', 'CSeq: 2 BYE', 'Content-Length: 0', '', '',
  ].join('\r\n');
  client.send(bye);
  t.equal(statusOf(await client.next(isResponseTo('BYE', 'someone-elses-call'), 10_000)), 403, 'a BYE in a dialog this socket never saw: 403');

  // The same socket still registers its own login: the relay answered the refusals itself and stays up.
  client.send(registerRequest('wes', realm, { callId: 'reg-as-wes' }));
  t.equal(statusOf(await client.next(isResponseTo('REGISTER', 'reg-as-wes'), 10_000)), 200, 'wes\'s own REGISTER on that socket: 200');
});

t.test('the phone\'s WebSocket closes during a call: after the grace the agent is on break "line lost" and the caller first in line again', engine.options, async (t) => {
  const s = await startSite(t, SITE);
  const { phone, ws } = await phoneOnline(t, s, 'wes', 'wes-web-password');
  await s.setState('wes', 'ready');
  const sipp = await caller(t, s, { number: '+15550177', caller: '+31201110078', stayMs: 40_000, localAddress: CARRIER });
  await phone.answer(30_000);
  const answered = await s.bus.wait('call_answered', () => true, 30_000);
  const queuedBefore = s.bus.of('call_queued').length;
  ws.close();
  const onBreak = await s.bus.wait('agent_state_changed', (p) => p.login === 'wes' && p.to === 'break', 20_000);
  t.match(onBreak.payload, { reason: 'line lost' }, 'the agent is on break "line lost"');
  const requeued = await s.bus.wait('call_queued', (p) => p.callId === answered.payload.callId, 20_000, queuedBefore);
  t.match(requeued.payload, { queue: 'web', position: 1 }, 'the caller is back in the queue, first');
  void sipp;
});
