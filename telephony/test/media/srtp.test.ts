import t from 'tap';
import { createCipheriv } from 'node:crypto';
import { RtpHeader, SrtpSession } from 'werift';
import { SrtpContext, deriveSessionKey } from '../../src/embedded/rtp/srtp.js';
import type { SrtpKeys } from '../../src/embedded/rtp/srtp.js';
import { serializeRtp } from '../../src/embedded/rtp/packet.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 3711 Appendix B.3 (key derivation).
const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');

t.test('key derivation matches RFC 3711 Appendix B.3', async (t) => {
  t.equal(deriveSessionKey(masterKey, masterSalt, 0, 16).toString('hex'), 'c61e7a93744f39ee10734afe3ff7a087');
  t.equal(deriveSessionKey(masterKey, masterSalt, 2, 14).toString('hex'), '30cbbc08863d8c85d49db34a9ae1');
  t.equal(deriveSessionKey(masterKey, masterSalt, 1, 20).toString('hex'), 'cebe321f6ff7716b6fd4ab49af256a156d38baa4');
});

t.test('AES counter-mode keystream matches RFC 3711 Appendix B.2', async (t) => {
  // The counter is salt·2^16 with SSRC, ROC and SEQ zero: the same IV srtp.ts builds.
  const cipher = createCipheriv('aes-128-ctr', hex('2B7E151628AED2A6ABF7158809CF4F3C'), hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'));
  const stream = cipher.update(Buffer.alloc(48));
  t.equal(stream.toString('hex'), 'e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0');
  // And through the context: a zero payload at SSRC 0, SEQ 0 encrypts to the keystream.
  const keys: SrtpKeys = { suite: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt };
  const ctx = new SrtpContext(keys);
  const sessionKey = deriveSessionKey(masterKey, masterSalt, 0, 16);
  const sessionSalt = Buffer.concat([deriveSessionKey(masterKey, masterSalt, 2, 14), Buffer.alloc(2)]);
  const expected = createCipheriv('aes-128-ctr', sessionKey, sessionSalt).update(Buffer.alloc(32));
  const rtp = serializeRtp({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, marker: false, csrc: [], payload: new Uint8Array(32) });
  const out = ctx.protect(rtp);
  t.equal(out.length, 12 + 32 + 10);
  t.same(out.subarray(12, 44), expected);
});

function packet(seq: number, ssrc = 0xcafebabe, fill = 0xab): Uint8Array {
  return serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc, marker: false, csrc: [], payload: new Uint8Array(160).fill(fill) });
}

t.test('interoperates with werift\'s independent SRTP (both directions)', async (t) => {
  const keys: SrtpKeys = { suite: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt };
  const wkeys = { localMasterKey: masterKey, localMasterSalt: masterSalt, remoteMasterKey: masterKey, remoteMasterSalt: masterSalt };
  const wReceiver = new SrtpSession({ profile: 1, keys: wkeys });
  const ours = new SrtpContext(keys);
  for (const seq of [65530, 65535, 0, 1, 7]) {
    const clear = Buffer.from(packet(seq));
    t.same(wReceiver.decrypt(ours.protect(clear)), clear, `werift decrypts ours at seq ${seq}`);
  }
  const wSender = new SrtpSession({ profile: 1, keys: wkeys });
  const receiver = new SrtpContext(keys);
  for (const seq of [100, 101, 102]) {
    const clear = Buffer.from(packet(seq, 0x1234));
    const wire = wSender.encrypt(clear.subarray(12), RtpHeader.deSerialize(clear.subarray(0, 12)));
    const result = receiver.unprotect(wire);
    t.ok(result.ok, `we decrypt werift's seq ${seq}`);
    if (result.ok) t.same(result.packet, clear);
  }
});

t.test('round trip under both suites, with the tag length of each', async (t) => {
  for (const [suite, tag] of [['AES_CM_128_HMAC_SHA1_80', 10], ['AES_CM_128_HMAC_SHA1_32', 4]] as const) {
    const keys: SrtpKeys = { suite, masterKey, masterSalt };
    const tx = new SrtpContext(keys);
    const rx = new SrtpContext(keys);
    const clear = Buffer.from(packet(5));
    const wire = tx.protect(clear);
    t.equal(wire.length, clear.length + tag, `${suite} tag`);
    t.not(wire.subarray(12, 172).toString('hex'), clear.subarray(12).toString('hex'), 'payload is not in clear');
    const back = rx.unprotect(wire);
    t.ok(back.ok);
    if (back.ok) t.same(back.packet, clear);
  }
});

t.test('a wrong key, a tampered packet and a replay are dropped and counted', async (t) => {
  const tx = new SrtpContext({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt });
  const wrongKey = Buffer.from(masterKey);
  wrongKey[0] = (wrongKey[0] as number) ^ 1;
  const stranger = new SrtpContext({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKey: wrongKey, masterSalt });
  const rx = new SrtpContext({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt });
  const first = tx.protect(packet(10));
  t.notOk(stranger.unprotect(first).ok, 'wrong key refused');
  t.equal(stranger.dropped.authentication, 1);
  const tampered = Buffer.from(first);
  tampered[20] = (tampered[20] as number) ^ 0xff;
  t.same(rx.unprotect(tampered), { ok: false, reason: 'authentication' });
  t.ok(rx.unprotect(first).ok);
  t.same(rx.unprotect(first), { ok: false, reason: 'replay' });
  // Out of order inside the window is fine once; far behind the window is a replay.
  const later = [11, 13, 12].map((s) => tx.protect(packet(s)));
  for (const p of later) t.ok(rx.unprotect(p).ok);
  for (let s = 14; s < 100; s++) t.ok(rx.unprotect(tx.protect(packet(s))).ok);
  const old = new SrtpContext({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt }).protect(packet(20));
  t.same(rx.unprotect(old), { ok: false, reason: 'replay' }, 'behind the 64-packet window');
  t.same(rx.dropped, { authentication: 1, replay: 2, malformed: 0 });
  t.same(rx.unprotect(new Uint8Array(5)), { ok: false, reason: 'malformed' });
});

t.test('the rollover counter follows a sequence wrap on both sides', async (t) => {
  const keys: SrtpKeys = { suite: 'AES_CM_128_HMAC_SHA1_32', masterKey, masterSalt };
  const tx = new SrtpContext(keys);
  const rx = new SrtpContext(keys);
  for (let i = 0; i < 300; i++) {
    const seq = (65400 + i) & 0xffff;
    const clear = Buffer.from(packet(seq));
    const back = rx.unprotect(tx.protect(clear));
    if (!back.ok) { t.fail(`seq ${seq} after wrap: ${back.reason}`); return; }
    t.same(back.packet, clear);
  }
  t.same(rx.dropped, { authentication: 0, replay: 0, malformed: 0 });
});

t.test('SRTCP: protected with an index, the 80-bit tag, replay refused', async (t) => {
  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const) {
    const keys: SrtpKeys = { suite, masterKey, masterSalt };
    const tx = new SrtpContext(keys);
    const rx = new SrtpContext(keys);
    // A receiver report: V=2, RC=0, PT=201, length=1, SSRC; plus 20 bytes of body.
    const rtcp = Buffer.concat([hex('80c90006deadbeef'), Buffer.alloc(20, 0x5a)]);
    const wire = tx.protectRtcp(rtcp);
    t.equal(wire.length, rtcp.length + 4 + 10);
    t.equal(wire.readUInt32BE(rtcp.length) >>> 0, 0x80000000, 'E flag set, index 0');
    const back = rx.unprotectRtcp(wire);
    t.ok(back.ok);
    if (back.ok) t.same(back.packet, rtcp);
    t.same(rx.unprotectRtcp(wire), { ok: false, reason: 'replay' });
    const second = tx.protectRtcp(rtcp);
    t.equal(second.readUInt32BE(rtcp.length) & 0x7fffffff, 1);
    second[10] = (second[10] as number) ^ 1;
    t.same(rx.unprotectRtcp(second), { ok: false, reason: 'authentication' });
  }
});
