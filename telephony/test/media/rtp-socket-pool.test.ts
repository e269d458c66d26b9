// RTP sockets kept bound between the media legs on one port (rtp/socket-pool.ts):
// the next leg on a port gets the previous leg's socket, clean, and hears
// nothing of the previous call.
import t from 'tap';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { serializeRtp } from '../../src/embedded/rtp/packet.js';
import { RtpSession } from '../../src/embedded/rtp/session.js';
import { RtpSocketPool } from '../../src/embedded/rtp/socket-pool.js';
import type { RtpEndpoint } from '../../src/embedded/rtp/session.js';
import { freeUdpPort, isPortBound } from '../peers/ports.js';
import { RtpPeer, silentLogger } from './fixtures/rtp-peer.js';

const audio = (sequenceNumber: number, ssrc: number): Buffer =>
  serializeRtp({ payloadType: 0, marker: false, sequenceNumber, timestamp: sequenceNumber * 160, ssrc, csrc: [], payload: new Uint8Array(160) });

/** Sends one datagram and resolves once the kernel has it (on loopback: queued at the receiver). */
function sendFrom(socket: dgram.Socket, datagram: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

async function waitUntil(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

/** Every packet a session hands up, bare-audio fast path included, with its source. */
function heard(s: RtpSession): { ssrc: number; from: RtpEndpoint }[] {
  const got: { ssrc: number; from: RtpEndpoint }[] = [];
  s.on('packet', (p, from) => got.push({ ssrc: p.ssrc, from }));
  return got;
}

t.test('the next leg on a port reuses the socket, and hears none of the previous call', async (t) => {
  const port = await freeUdpPort();
  const pool = new RtpSocketPool(4, silentLogger);
  const farA = await RtpPeer.open(); // the first call's far end
  const farB = await RtpPeer.open(); // the second call's
  const stranger = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.2', () => resolve()));
  t.teardown(async () => {
    pool.close();
    await farA.close();
    await farB.close();
    stranger.close();
  });

  const first = await RtpSession.open({ localPort: port, sockets: pool, remote: farA.endpoint, trustedAddresses: ['127.0.0.1'], logger: silentLogger });
  const firstHeard = heard(first);
  await farA.sendRaw(audio(1, 0xa), port);
  await waitUntil(() => first.connected, 'the first leg latched and connected to its far end');
  first.sendAudio(0, new Uint8Array(160), 160);
  await farA.waitFor(() => farA.received.length === 1, 5000, 'audio of the first leg');
  t.equal(firstHeard.length, 1);
  await first.close();
  t.equal(pool.idle, 1, 'the socket rests in the pool');
  t.ok(await isPortBound(port), 'still bound to its port');

  // The first call's far end goes on sending after the call ended, up to the very moment the next leg opens.
  for (let seq = 2; seq < 6; seq++) await farA.sendRaw(audio(seq, 0xa), port);
  const second = await RtpSession.open({ localPort: port, sockets: pool, remote: farB.endpoint, trustedAddresses: ['127.0.0.1'], logger: silentLogger });
  const secondHeard = heard(second);
  t.equal(pool.reused, 1, 'the second leg took the resting socket');
  t.equal(pool.idle, 0);
  t.equal(second.localPort, port);
  // A stranger on an address the call does not know is dropped, latched or not.
  await sendFrom(stranger, audio(1, 0xc), port);
  await farB.sendRaw(audio(1, 0xb), port);
  await waitUntil(() => secondHeard.length >= 1, 'the second call\'s audio');
  t.same(second.remote, farB.endpoint, 'latched to its own far end, not to the first call\'s');
  await waitUntil(() => second.connected, 'the second leg connected to its far end');
  // A late packet of the first call after the second latched: not taken either.
  await farA.sendRaw(audio(6, 0xa), port);
  await farB.sendRaw(audio(2, 0xb), port);
  await waitUntil(() => secondHeard.length >= 2, 'the second call\'s next packet');
  t.same(secondHeard.map((p) => p.ssrc), [0xb, 0xb], 'only the second call\'s packets');
  t.ok(secondHeard.every((p) => p.from.port === farB.port));
  t.equal(second.stats().packetsReceived, 2);
  t.equal(firstHeard.length, 1, 'the first leg heard nothing after it closed');
  second.sendAudio(0, new Uint8Array(160), 160);
  await farB.waitFor(() => farB.received.length === 1, 5000, 'audio of the second leg');
  t.equal(farA.received.length, 1, 'nothing of the second call went to the first call\'s far end');
  await second.close();
});

t.test('a leg whose far end latched is relayed through the bridge fast path only to its own call', async (t) => {
  // The raw forwarder (a bridge's fast path) is given the bare audio packets before any parsing: it must see the same.
  const port = await freeUdpPort();
  const pool = new RtpSocketPool(4, silentLogger);
  const farA = await RtpPeer.open();
  const farB = await RtpPeer.open();
  t.teardown(async () => { pool.close(); await farA.close(); await farB.close(); });
  const first = await RtpSession.open({ localPort: port, sockets: pool, remote: farA.endpoint, trustedAddresses: ['127.0.0.1'], logger: silentLogger });
  await farA.sendRaw(audio(1, 0xa), port);
  await waitUntil(() => first.stats().packetsReceived === 1, 'the first call\'s packet');
  await first.close();
  for (let seq = 2; seq < 4; seq++) await farA.sendRaw(audio(seq, 0xa), port);
  const second = await RtpSession.open({ localPort: port, sockets: pool, remote: farB.endpoint, trustedAddresses: ['127.0.0.1'], logger: silentLogger });
  const relayed: number[] = [];
  second.setRawAudioForwarder(0, (datagram) => { relayed.push(datagram.readUInt32BE(8)); return true; });
  await farB.sendRaw(audio(1, 0xb), port);
  await waitUntil(() => relayed.length >= 1, 'the second call\'s packet relayed');
  await farA.sendRaw(audio(4, 0xa), port);
  await farB.sendRaw(audio(2, 0xb), port);
  await waitUntil(() => relayed.length >= 2, 'the second call\'s next packet relayed');
  t.same(relayed, [0xb, 0xb], 'none of the first call\'s packets relayed');
  t.equal(pool.reused, 1);
  await second.close();
});

t.test('the pool is bounded, and closes its sockets when the engine stops', async (t) => {
  const pool = new RtpSocketPool(1, silentLogger);
  const ports = [await freeUdpPort(), await freeUdpPort()];
  const legs = await Promise.all(ports.map((localPort) => RtpSession.open({ localPort, sockets: pool, logger: silentLogger })));
  for (const leg of legs) await leg.close();
  t.equal(pool.idle, 1, 'one socket kept, the one past the limit closed');
  t.ok(await isPortBound(ports[0] as number), 'the kept one still bound');
  t.notOk(await isPortBound(ports[1] as number), 'the one past the limit closed');
  pool.close();
  t.equal(pool.idle, 0);
  t.notOk(await isPortBound(ports[0] as number), 'closed at stop');
  // A leg that ends after the stop closes its socket.
  const late = await RtpSession.open({ localPort: ports[0] as number, sockets: pool, logger: silentLogger });
  const closed = once(late, 'closed');
  await late.close();
  await closed;
  t.notOk(await isPortBound(ports[0] as number), 'a socket given back after the stop is closed');
});

t.test('a socket resting longer than the rest limit is closed', async (t) => {
  const pool = new RtpSocketPool(4, silentLogger, 200);
  t.teardown(() => pool.close());
  const port = await freeUdpPort();
  const leg = await RtpSession.open({ localPort: port, sockets: pool, logger: silentLogger });
  await leg.close();
  t.equal(pool.idle, 1);
  t.ok(await isPortBound(port));
  await waitUntil(() => pool.idle === 0, 'the resting socket closed');
  t.notOk(await isPortBound(port), 'the port is free again once calls stop');
});

t.test('a port another program holds is refused, so the engine moves on to the next port', async (t) => {
  const pool = new RtpSocketPool(4, silentLogger);
  const port = await freeUdpPort();
  const other = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => other.bind(port, '127.0.0.1', () => resolve()));
  t.teardown(() => { pool.close(); other.close(); });
  await t.rejects(RtpSession.open({ localPort: port, sockets: pool, logger: silentLogger }), { code: 'EADDRINUSE' });
  t.equal(pool.idle, 0, 'nothing kept for a port we never had');
  t.equal(pool.reused, 0);
});
