// WebRTC phones on the embedded engine without a browser: werift's
// RTCPeerConnection (full ICE, DTLS, SRTP) signalling over the engine's SIP
// WebSocket transport. Audio is checked by tone frequency, both ways.
import t, { type Test } from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import type { Call, SipWebSocketSink } from '../../src/driver.js';
import { TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { WebrtcPhone } from '../peers/webrtc-phone.js';

const silent = pino({ level: process.env.TENOR_TEST_LOG ?? 'silent' });

async function engineWithPhone(t: Test, opts: { lineLostGraceMs?: number } = {}) {
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, domain: 'tenor.test',
    credentials: new InMemoryCredentialStore({}), ...opts,
  });
  await driver.start();
  t.teardown(() => driver.stop());
  const listeners: Array<(text: string) => void> = [];
  let closed = false;
  const sink: SipWebSocketSink = driver.attachSipWebSocket({
    user: 'wes', remote: { address: '127.0.0.1', port: 40_000 + Math.floor(Math.random() * 1000) }, secure: true,
    send: (text) => setImmediate(() => listeners.forEach((l) => l(text))),
    close: () => void (closed = true),
  });
  const phone = new WebrtcPhone({ send: (text) => sink.receive(Buffer.from(text)), onMessage: (l) => listeners.push(l) }, 'wes', 'tenor.test');
  t.teardown(() => phone.close());
  return { driver, phone, sink, closed: () => closed };
}

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('a browser phone calls the echo number: ICE-lite, DTLS-SRTP, its tone comes back', async (t) => {
  const { phone } = await engineWithPhone(t);
  t.equal(await phone.register(), 200);
  t.equal(await phone.call('9196'), 200);
  phone.sendTone(1000);
  await until('the 1000 Hz tone echoed', () => phone.dominantTone([400, 1000]) === 1000);
  t.pass('heard its own 1000 Hz tone through DTLS-SRTP');
  phone.hangup();
});

t.test('the engine calls a phone registered over WebSocket with a WebRTC offer; audio both ways, DTMF; line lost', async (t) => {
  const { driver, phone, sink } = await engineWithPhone(t, { lineLostGraceMs: 300 });
  t.equal(await phone.register(), 200);
  const placing = driver.originate({ kind: 'device', user: 'wes' }, { timeoutMs: 8000 });
  const invite = await phone.answer();
  t.match(invite, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/, 'a WebRTC offer');
  t.match(invite, /a=ice-lite/);
  t.match(invite, /a=fingerprint:sha-256 [0-9A-F:]{95}/);
  const call: Call = await placing;
  const digits: string[] = [];
  call.on('dtmf', (d: string) => digits.push(d));
  await until('media secured', () => phone.pc?.connectionState === 'connected');
  t.equal(await phone.sendDigit('5'), 200);
  await until('the digit 5', () => digits.includes('5'), 5000);
  t.same(digits.slice(0, 1), ['5'], 'a digit by SIP INFO over the WebSocket');

  const ended = new Promise<string>((resolve) => call.once('hangup', resolve));
  sink.closed();
  t.equal(driver.registrar?.lookup('wes').length, 0, 'registration removed at once');
  t.equal(call.state, 'answered', 'the call waits out the grace');
  t.equal(await ended, 'line-lost');
});

t.test('DTLS done before the browser\'s 200 OK reaches the engine: the fingerprint is checked then, and media flows', async (t) => {
  const { driver, phone } = await engineWithPhone(t);
  t.equal(await phone.register(), 200);
  const placing = driver.originate({ kind: 'device', user: 'wes' }, { timeoutMs: 8000 });
  await phone.answer(8000, { afterDtls: true });
  const call: Call = await placing;
  t.teardown(() => call.hangup().catch(() => undefined));
  const received = (): number => driver.stats().traffic?.rtp.packetsReceived ?? 0;
  const before = received();
  phone.sendTone(1000);
  // Refusing the handshake as a fingerprint mismatch closed the WebRTC layer: no SRTP was
  // taken and no ICE consent check answered, so the browser's connection failed.
  await until('the phone\'s SRTP received by the engine', () => received() >= before + 10);
  phone.stopTone();
  t.equal(phone.pc?.connectionState, 'connected', 'the browser\'s connection stays up');
});

t.test('a call ringing a browser whose WebSocket closes fails at once with line-lost, not at the ring timeout', async (t) => {
  const { driver, phone, sink } = await engineWithPhone(t);
  t.equal(await phone.register(), 200);
  const started = Date.now();
  const placing = driver.originate({ kind: 'device', user: 'wes' }, { timeoutMs: 20_000 }).then(() => 'answered', (err: { hangupCause?: string }) => err.hangupCause);
  await phone.next((m) => m.startsWith('INVITE '));
  sink.closed();
  t.equal(await placing, 'line-lost', 'the offer fails with cause line-lost');
  t.ok(Date.now() - started < 5000, `within ${Date.now() - started} ms`);
});
