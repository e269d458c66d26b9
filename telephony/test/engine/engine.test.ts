import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import type { EmbeddedCall } from '../../src/embedded/engine/call.js';
import { getHeaders } from '../../src/embedded/sip/headers.js';
import { SipPeer, TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { waitUntil } from '../../src/contract/suite.js';

const silent = pino({ level: 'silent' });

interface HasTeardown {
  teardown(fn: () => unknown): unknown;
}

async function startDriver(t: HasTeardown, extra: Partial<ConstructorParameters<typeof EmbeddedDriver>[0]> = {}): Promise<EmbeddedDriver> {
  const driver = new EmbeddedDriver({ sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, ...extra });
  await driver.start();
  t.teardown(() => driver.stop());
  return driver;
}

async function startPeer(t: HasTeardown, address = '127.0.0.1'): Promise<SipPeer> {
  const peer = await SipPeer.start({ address });
  t.teardown(() => peer.close());
  return peer;
}

t.test('OPTIONS is answered 200 with Allow, Accept and Supported', async (t) => {
  const driver = await startDriver(t);
  const peer = await startPeer(t);
  const res = await peer.request('OPTIONS', `sip:127.0.0.1:${driver.sipPort}`, { transport: 'udp', address: '127.0.0.1', port: driver.sipPort });
  t.equal(res.status, 200);
  t.match(getHeaders(res, 'Allow').join(','), /INVITE/);
  t.match(getHeaders(res, 'Allow').join(','), /OPTIONS/);
  t.match(getHeaders(res, 'Accept').join(','), /application\/sdp/);
  t.not(res.headers.find((h) => h.name === 'Supported'), undefined, 'Supported is present');
});

t.test('an unknown method gets 501', async (t) => {
  const driver = await startDriver(t);
  const peer = await startPeer(t);
  const res = await peer.request('FROBNICATE', `sip:127.0.0.1:${driver.sipPort}`, { transport: 'udp', address: '127.0.0.1', port: driver.sipPort });
  t.equal(res.status, 501);
});

t.test('the echo number answers and sends our audio back', async (t) => {
  const driver = await startDriver(t);
  const peer = await startPeer(t);
  let raised = false;
  driver.on('incoming', () => { raised = true; });
  const call = await peer.call({ uri: `sip:9196@127.0.0.1:${driver.sipPort}`, destination: { transport: 'udp', address: '127.0.0.1', port: driver.sipPort }, from: 'tester' });
  await call.waitAnswered();
  t.equal(driver.stats().resources['echoCalls'], 1);
  call.startTone();
  await waitUntil(() => call.heardToneMs() > 500, 5000, 'echo').catch(() => undefined);
  t.ok(call.heardToneMs() > 500, `our tone came back (${call.heardToneMs()} ms)`);
  t.notOk(raised, 'the echo test never reaches the application');
  await call.hangup();
  await waitUntil(() => driver.stats().resources['echoCalls'] === 0 && driver.stats().resources['mediaPorts'] === 0, 5000, 'echo released').catch(() => undefined);
  t.equal(driver.stats().resources['echoCalls'], 0);
  t.equal(driver.stats().resources['mediaPorts'], 0);
});

t.test('an offer without PCMU or PCMA is refused with 488', async (t) => {
  const driver = await startDriver(t);
  const peer = await startPeer(t);
  driver.on('incoming', () => t.fail('no incoming call expected'));
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n';
  const call = await peer.call({ uri: `sip:5000@127.0.0.1:${driver.sipPort}`, destination: { transport: 'udp', address: '127.0.0.1', port: driver.sipPort }, from: 'tester', sdp });
  const end = await call.waitEnded();
  t.same(end, { by: 'driver', refused: 'failed' });
  t.equal(driver.stats().resources['mediaPorts'], 0);
});

t.test('DTMF by SIP INFO reaches the call like RTP digits', async (t) => {
  const driver = await startDriver(t);
  const peer = await startPeer(t);
  const incoming = new Promise<import('../../src/driver.js').IncomingCall>((resolve) => driver.once('incoming', resolve));
  const call = await peer.call({ uri: `sip:5000@127.0.0.1:${driver.sipPort}`, destination: { transport: 'udp', address: '127.0.0.1', port: driver.sipPort }, from: 'tester' });
  const inc = await incoming;
  await inc.call.answer();
  await call.waitAnswered();
  const collecting = inc.call.collectDigits({ maxDigits: 3, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000 });
  t.same(await call.sendInfoDigits('12#'), [200, 200, 200]);
  t.same(await collecting, { digits: '12#', reason: 'max-digits' });
  await inc.call.hangup();
});

t.test('a peer re-INVITE with sendonly holds us; a new address re-targets media', async (t) => {
  const driver = await startDriver(t, { mediaTimeoutMs: 800 });
  const peer = await startPeer(t);
  const incoming = new Promise<import('../../src/driver.js').IncomingCall>((resolve) => driver.once('incoming', resolve));
  const call = await peer.call({ uri: `sip:5000@127.0.0.1:${driver.sipPort}`, destination: { transport: 'udp', address: '127.0.0.1', port: driver.sipPort }, from: 'tester' });
  const inc = await incoming;
  await inc.call.answer();
  await call.waitAnswered();
  t.equal(await call.reinvite('sendonly'), 200);
  t.match(call.remoteSdp, /a=recvonly/, 'we answer recvonly to their sendonly');
  call.setMediaFlowing(false);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(inc.call.state, 'answered', 'no media timeout while held');
  t.equal(await call.reinvite('sendrecv', '127.0.0.5'), 200);
  t.match(call.remoteSdp, /a=sendrecv/);
  const leg = (inc.call as EmbeddedCall).leg;
  t.equal(leg.session.remote?.address, '127.0.0.5', 'a new address in the re-INVITE re-targets our RTP');
  call.setMediaFlowing(true);
  t.equal(await call.reinvite('sendrecv'), 200);
  await waitUntil(() => leg.session.remote?.address === '127.0.0.1', 3000, 'back to the peer').catch(() => undefined);
  t.equal(leg.session.remote?.address, '127.0.0.1');
  await inc.call.hangup();
});
