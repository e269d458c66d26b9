// A WebRTC agent on a real server, without a browser: werift's peer connection
// registers over /sip with the agent's web session, a SIPp caller dials an entry
// number and is queued, the ACD rings the phone with a WebRTC offer, and audio
// goes both ways, checked by tone frequency (700 Hz from the caller heard in the
// phone; 1000 Hz from the phone found in the RTP Tenor sends the caller). Then a
// digit, the hang-up; and a second call whose WebSocket closes: line lost, the
// agent on break and the caller back first in line.
import t, { type Test } from 'tap';
import path from 'node:path';
import WebSocket from 'ws';
import { makeToneUlaw, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { WebrtcPhone, tonePower, type SipChannel } from '../../../telephony/test/peers/webrtc-phone.js';
import { decodeUlaw } from '../../../telephony/src/embedded/media/g711.js';
import { tempDir } from '../helpers.js';
import { caller, finished, startSite, type Site } from '../acd-sip/site.js';

const SITE = {
  queues: [{ name: 'web', ringTimeoutSeconds: 15 }],
  agents: [{ login: 'wes', name: 'Wes', password: 'wes-web-password', device: { type: 'webrtc' }, queues: [{ queue: 'web' }] }],
  entryNumbers: [{ number: '+15550177', queue: 'web' }],
};

async function phoneOnline(t: Test, s: Site): Promise<{ phone: WebrtcPhone; ws: WebSocket }> {
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'wes', password: 'wes-web-password' }),
  });
  t.equal(login.status, 200, 'the agent signs in');
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const ws = new WebSocket(`ws://127.0.0.1:${port}/sip`, 'sip', { headers: { cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  t.teardown(() => ws.terminate());
  const channel: SipChannel = { send: (text) => ws.send(text), onMessage: (l) => ws.on('message', (data) => l(String(data))) };
  const phone = new WebrtcPhone(channel, 'wes', 'realm');
  t.teardown(() => phone.close());
  t.equal(await phone.register(), 200, 'the phone registers over /sip without a digest');
  await s.setState('wes', 'ready');
  return { phone, ws };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('a queued SIPp caller reaches the WebRTC agent: audio both ways by tone, a digit, hang-up', async (t) => {
  const s = await startSite(t, SITE);
  const { phone } = await phoneOnline(t, s);
  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: 700 });
  const capture = await startCapture({ portRange: s.rtp, snaplen: 400 });
  t.teardown(() => capture.dispose());
  const sipp = await caller(t, s, { number: '+15550177', caller: '+31201110077', stayMs: 30_000, toneFile: tone });
  const invite = await phone.answer(20_000);
  t.match(invite, /UDP\/TLS\/RTP\/SAVPF/, 'the ACD rings the phone with a WebRTC offer');
  await s.bus.wait('call_answered');
  phone.sendTone(1000);
  await until('the caller\'s 700 Hz tone in the phone', () => phone.dominantTone([700, 1000]) === 700);
  t.pass('the phone hears the caller (700 Hz, through DTLS-SRTP)');
  t.equal(await phone.sendDigit('5'), 200, 'a digit from the phone (SIP INFO) is taken');
  await new Promise((r) => setTimeout(r, 1500));
  phone.hangup();
  await s.bus.wait('call_ended');
  const { packets } = await capture.stop();
  const inTenor = (port: number) => port >= s.rtp.from && port <= s.rtp.to;
  const fromTenor = rtpPackets(packets).filter((p) => inTenor(p.srcPort) && !inTenor(p.dstPort) && p.payloadType === 0);
  const toCaller = fromTenor.filter((p) => p.dstPort === sipp.mediaPort);
  const pcm = Int16Array.from(toCaller.slice(-100).flatMap((p) => [...decodeUlaw(p.payload)]));
  t.ok(pcm.length >= 8000, `${toCaller.length} PCMU packets went to the caller`);
  t.ok(tonePower(pcm, 1000) > 0.3 && tonePower(pcm, 1000) > 10 * tonePower(pcm, 700),
    `the caller hears the phone's 1000 Hz (power ${tonePower(pcm, 1000).toFixed(2)} vs 700 Hz ${tonePower(pcm, 700).toFixed(2)})`);
  // What went to the phone is SRTP: 160 bytes of payload plus the 10-byte tag, and no 700 Hz in it read as PCMU.
  const toPhone = fromTenor.filter((p) => p.dstPort !== sipp.mediaPort);
  const phonePcm = Int16Array.from(toPhone.slice(-100).flatMap((p) => [...decodeUlaw(p.payload.subarray(0, 160))]));
  t.ok(toPhone.length >= 50, `${toPhone.length} packets to the phone`);
  t.same([...new Set(toPhone.map((p) => p.payloadLength))], [170], 'each with the 10-byte SRTP tag after its 160 bytes');
  t.ok(tonePower(phonePcm, 700) < 0.05, `on the wire to the phone the caller's tone is not in clear (700 Hz power ${tonePower(phonePcm, 700).toFixed(3)})`);
  await finished(sipp, 'the caller').catch(() => undefined);
});

t.test('the phone\'s WebSocket closes during a call: after the grace the agent is on break "line lost" and the caller first in line again', async (t) => {
  const s = await startSite(t, SITE);
  const { phone, ws } = await phoneOnline(t, s);
  const sipp = await caller(t, s, { number: '+15550177', caller: '+31201110078', stayMs: 30_000 });
  await phone.answer(20_000);
  const answered = await s.bus.wait('call_answered');
  const queuedBefore = s.bus.of('call_queued').length;
  const closedAt = Date.now();
  ws.close();
  const onBreak = await s.bus.wait('agent_state_changed', (p) => p.login === 'wes' && p.to === 'break', 15_000);
  const after = Date.now() - closedAt;
  t.ok(after >= 2500, `the call was kept for the grace (${after} ms)`);
  t.match(onBreak.payload, { reason: 'line lost' }, 'the agent is on break "line lost"');
  const requeued = await s.bus.wait('call_queued', (p) => p.callId === answered.payload.callId, 15_000, queuedBefore);
  t.match(requeued.payload, { queue: 'web', position: 1 }, 'the caller is back in the queue, first');
  void sipp;
});
