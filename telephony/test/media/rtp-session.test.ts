import t from 'tap';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { serializeRtp } from '../../src/embedded/rtp/packet.js';
import { RtpPortAllocator, PortRangeExhaustedError } from '../../src/embedded/rtp/ports.js';
import { RtpSession } from '../../src/embedded/rtp/session.js';
import { RtpPeer, silentLogger, sleep } from './fixtures/rtp-peer.js';

t.test('port allocator hands out even ports and takes them back', async (t) => {
  const ports = new RtpPortAllocator({ min: 20001, max: 20010 });
  t.equal(ports.capacity, 4, '20002,20004,20006,20008 (20010 has no RTCP port above it in range)');
  const got = [ports.allocate(), ports.allocate(), ports.allocate(), ports.allocate()];
  t.ok(got.every((p) => p % 2 === 0 && p >= 20002 && p <= 20008), `even ports ${got.join(',')}`);
  t.equal(new Set(got).size, 4);
  t.throws(() => ports.allocate(), PortRangeExhaustedError);
  t.equal(ports.allocatedCount, 4);
  ports.release(got[1] as number);
  ports.release(got[1] as number);
  t.equal(ports.allocatedCount, 3, 'double release is harmless');
  t.equal(ports.allocate(), got[1], 'the freed pair is reused');
  t.throws(() => new RtpPortAllocator({ min: 100, max: 200 }), RangeError);
});

t.test('a session takes its port from the allocator and gives it back on close', async (t) => {
  // A high range, unlikely to collide; a taken port is skipped by the session.
  const ports = new RtpPortAllocator({ min: 41000, max: 41100 });
  const a = await RtpSession.open({ allocator: ports, logger: silentLogger });
  const b = await RtpSession.open({ allocator: ports, logger: silentLogger });
  t.equal(ports.allocatedCount, 2);
  t.not(a.localPort, b.localPort);
  t.ok(a.localPort % 2 === 0);
  await a.close();
  await b.close();
  await a.close();
  t.equal(ports.allocatedCount, 0, 'released at leg end');
});

t.test('sends with one SSRC, consecutive sequence numbers and the marker on a talkspurt start', async (t) => {
  const peer = await RtpPeer.open();
  const s = await RtpSession.open({ remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await s.close(); await peer.close(); });
  const payload = new Uint8Array(160).fill(0xff);
  for (let i = 0; i < 3; i++) { s.sendAudio(0, payload, 160); await sleep(20); }
  await sleep(150); // a pause: next packet starts a talkspurt
  s.sendAudio(0, payload, 160);
  await peer.waitFor(() => peer.received.length === 4);
  const p = peer.packets();
  t.same(p.map((x) => x.marker), [true, false, false, true]);
  t.ok(p.every((x) => x.ssrc === s.ssrc));
  for (let i = 1; i < 4; i++) t.equal(((p[i] as { sequenceNumber: number }).sequenceNumber - (p[i - 1] as { sequenceNumber: number }).sequenceNumber) & 0xffff, 1);
  t.equal(((p[1]?.timestamp ?? 0) - (p[0]?.timestamp ?? 0)) >>> 0, 160);
  const jump = ((p[3]?.timestamp ?? 0) - (p[2]?.timestamp ?? 0)) >>> 0;
  t.ok(jump >= 160 * 8 && jump <= 160 * 20, `timestamp followed the pause (${jump} samples)`);
  t.equal(s.stats().packetsSent, 4);
  t.equal(s.stats().bytesSent, 4 * 172);
});

t.test('latches to the source packets really come from (symmetric RTP)', async (t) => {
  const sdpPeer = await RtpPeer.open(); // what SDP said
  const natPeer = await RtpPeer.open(); // where the phone really is
  const other = await RtpPeer.open();
  // On a port of the range, as the engine binds (only such a socket is connected once latched).
  const s = await RtpSession.open({ remote: sdpPeer.endpoint, allocator: new RtpPortAllocator({ min: 41200, max: 41300 }), logger: silentLogger });
  t.teardown(async () => { await s.close(); await sdpPeer.close(); await natPeer.close(); await other.close(); });
  const latched = once(s, 'latched');
  await natPeer.send({ payload: new Uint8Array(160) }, s.localPort);
  const [remote] = await latched;
  t.same(remote, natPeer.endpoint);
  s.sendAudio(0, new Uint8Array(160), 160);
  await natPeer.waitFor(() => natPeer.received.length === 1, 2000, 'audio at the latched address');
  t.equal(sdpPeer.received.length, 0, 'nothing goes to the SDP address any more');
  // Latched: the socket is connected to the far end, so the kernel itself
  // drops a third party's packets (they never reach the session, nor count).
  await waitUntil(() => s.connected, 'the socket connected to the latched source');
  await other.send({ payload: new Uint8Array(160) }, s.localPort);
  await sleep(50);
  t.same(s.remote, natPeer.endpoint, 'a third party cannot hijack the stream once latched');
  t.equal(s.stats().packetsReceived, 1, 'nor inject into it');
  // A new SDP (re-INVITE) starts over: the socket is disconnected, sends go to the new address.
  s.setRemote(sdpPeer.endpoint);
  t.notOk(s.connected, 'disconnected from the old far end');
  s.sendAudio(0, new Uint8Array(160), 160);
  await sdpPeer.waitFor(() => sdpPeer.received.length === 1, 2000, 'audio at the new SDP address');
  // Packets from the new far end latch and connect again.
  await sdpPeer.send({ sequenceNumber: 2, payload: new Uint8Array(160) }, s.localPort);
  await waitUntil(() => s.connected, 'the socket connected to the new far end');
  s.sendAudio(0, new Uint8Array(160), 160);
  await sdpPeer.waitFor(() => sdpPeer.received.length === 2, 2000, 'audio on the connected socket');
  t.equal(natPeer.received.length, 1, 'nothing more to the old far end');
  // A late re-INVITE after the leg closed changes nothing and throws nothing.
  await s.close();
  t.doesNotThrow(() => s.setRemote(natPeer.endpoint), 'setRemote on a closed, connected session');
});

t.test('media timeout fires when nothing arrives, and not while packets flow', async (t) => {
  const peer = await RtpPeer.open();
  const s = await RtpSession.open({ remote: peer.endpoint, mediaTimeoutMs: 300, logger: silentLogger });
  t.teardown(async () => { await s.close(); await peer.close(); });
  let fired = 0;
  s.on('mediaTimeout', () => fired++);
  for (let i = 0; i < 15; i++) {
    await peer.send({ sequenceNumber: i, timestamp: i * 160, payload: new Uint8Array(160) }, s.localPort);
    await sleep(40);
  }
  t.equal(fired, 0, 'no timeout while RTP flows');
  const t0 = Date.now();
  await once(s, 'mediaTimeout');
  t.ok(Date.now() - t0 >= 200, 'fires after the silence');
  await sleep(400);
  t.equal(fired, 1, 'fires once per silence');
  s.setMediaTimeout(0);
});

t.test('receive statistics count loss and bytes', async (t) => {
  const peer = await RtpPeer.open();
  const s = await RtpSession.open({ remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await s.close(); await peer.close(); });
  await peer.stream({ port: s.localPort, frames: 50, payload: () => new Uint8Array(160), drop: (i) => i % 10 === 5 });
  await sleep(100);
  const st = s.stats();
  t.equal(st.packetsReceived, 45);
  t.equal(st.bytesReceived, 45 * 172);
  t.equal(st.packetsLost, 5, 'the 5 dropped packets are counted lost');
  t.ok(st.jitterMs >= 0 && st.jitterMs < 30, `jitter ${st.jitterMs.toFixed(2)} ms`);
  // Junk is counted, not fatal.
  await peer.sendRaw(Buffer.from('hello'), s.localPort);
  await sleep(50);
  t.equal(s.stats().packetsRejected, 1);
});

t.test('takes media only from trusted addresses: a stranger is dropped and counted, before and after latching, and never latched', async (t) => {
  const sdpPeer = await RtpPeer.open(); // 127.0.0.1, what SDP said
  const stranger = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.3', () => resolve()));
  const s = await RtpSession.open({ remote: sdpPeer.endpoint, trustedAddresses: ['127.0.0.1'], logger: silentLogger });
  t.teardown(async () => { await s.close(); await sdpPeer.close(); stranger.close(); });
  const packet = serializeRtp({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 0, ssrc: 9, csrc: [], payload: new Uint8Array(160) });
  let latched = 0;
  s.on('latched', () => latched++);
  stranger.send(packet, s.localPort, '127.0.0.1');
  await sleep(50);
  t.equal(latched, 0, 'a stranger\'s first packet does not latch');
  t.same(s.remote, sdpPeer.endpoint);
  await sdpPeer.send({ payload: new Uint8Array(160) }, s.localPort);
  s.setRemote(sdpPeer.endpoint); // a re-INVITE: latching starts over, still only from trusted addresses
  stranger.send(packet, s.localPort, '127.0.0.1');
  await sleep(50);
  t.same(s.remote, sdpPeer.endpoint, 'nor after a re-INVITE');
  t.equal(s.stats().packetsFromStrangers, 2, 'both stranger packets counted');
  t.equal(s.stats().packetsReceived, 1, 'only the trusted packet was taken');
});

/** Polls `pred` every 10 ms, failing after 2 s (a condition, not a timing). */
async function waitUntil(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (pred()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}
