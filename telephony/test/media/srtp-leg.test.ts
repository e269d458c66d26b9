// SRTP at a media leg's socket edge: packets under the agreed key are heard as
// plain RTP above it, packets under any other key are dropped, counted, and do
// not move the leg's latch to their sender.
import t from 'tap';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { SrtpContext } from '../../src/embedded/rtp/srtp.js';
import type { SrtpKeys } from '../../src/embedded/rtp/srtp.js';
import { serializeRtp } from '../../src/embedded/rtp/packet.js';
import { RtpPeer, silentLogger, sleep } from './fixtures/rtp-peer.js';

const keys = (fill: number): SrtpKeys => ({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKey: Buffer.alloc(16, fill), masterSalt: Buffer.alloc(14, fill + 1) });

t.test('a leg takes SRTP under the agreed key only, and counts what it drops', async (t) => {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  // The peer's key protects what it sends; ours what we send.
  leg.session.setSrtp({ outbound: new SrtpContext(keys(1)), inbound: new SrtpContext(keys(3)) });
  const heard: number[] = [];
  const raw: Buffer[] = [];
  peer.socket.on('message', (m: Buffer) => raw.push(m));
  leg.session.on('packet', (p) => heard.push(p.sequenceNumber));
  const packet = (seq: number) => serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 42, marker: false, csrc: [], payload: new Uint8Array(160).fill(0x55) });
  const right = new SrtpContext(keys(3));
  const wrong = new SrtpContext(keys(5));
  for (let seq = 1; seq <= 5; seq++) await peer.sendRaw(wrong.protect(packet(seq)), leg.localPort);
  for (let seq = 10; seq <= 14; seq++) await peer.sendRaw(right.protect(packet(seq)), leg.localPort);
  const replay = right.protect(packet(15));
  await peer.sendRaw(replay, leg.localPort);
  await peer.sendRaw(replay, leg.localPort);
  for (let waited = 0; heard.length < 6 && waited < 3000; waited += 20) await sleep(20);
  await sleep(100);
  t.same(heard, [10, 11, 12, 13, 14, 15], 'only the packets under the agreed key, each once');
  const stats = leg.stats();
  t.equal(stats.srtpAuthFailures, 5, 'wrong-key packets counted');
  t.equal(stats.srtpReplays, 1, 'the replayed packet counted');
  t.equal(stats.packetsReceived, 6);

  // What the leg sends is SRTP under our key: the peer's copy of it decrypts it.
  leg.session.sendAudio(0, new Uint8Array(160).fill(0x11), 160);
  for (let waited = 0; raw.length === 0 && waited < 3000; waited += 20) await sleep(20);
  const sent = raw[0];
  t.ok(sent, 'the leg sent a packet');
  if (sent) {
    t.equal(sent.length, 12 + 160 + 10);
    const clear = new SrtpContext(keys(1)).unprotect(sent);
    t.ok(clear.ok, 'it decrypts under our key');
    if (clear.ok) t.same([...clear.packet.subarray(12)], new Array<number>(160).fill(0x11));
  }
});
