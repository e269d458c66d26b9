// ICE-lite's STUN answers and the WebRTC layer's gate (rtp/stun.ts,
// rtp/webrtc-media.ts): only a Binding request signed with our ice-pwd for our
// ufrag is answered, and nothing but STUN passes before ICE has verified a peer,
// nor from anyone else afterwards.
import t from 'tap';
import pino from 'pino';
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { answerBinding } from '../../src/embedded/rtp/stun.js';
import { WebrtcMedia, dtlsCertificate } from '../../src/embedded/rtp/webrtc-media.js';

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** A Binding request as a browser sends it: USERNAME, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT. */
function bindingRequest(username: string, pwd: string): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt32BE(0x2112a442, 4);
  Buffer.from('0123456789ab').copy(header, 8);
  const body = Buffer.concat([attr(0x0006, Buffer.from(username)), attr(0x0025, Buffer.alloc(0))]);
  const withLength = (b: Buffer, n: number) => {
    const c = Buffer.from(b);
    c.writeUInt16BE(n, 2);
    return c;
  };
  const toSign = withLength(Buffer.concat([header, body]), body.length + 24);
  const mi = attr(0x0008, createHmac('sha1', pwd).update(toSign).digest());
  const signed = withLength(Buffer.concat([header, body, mi]), body.length + 24 + 8);
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE((crc32(signed) ^ 0x5354554e) >>> 0, 0);
  return Buffer.concat([signed, attr(0x8028, fp)]);
}

const from = { address: '127.0.0.1', port: 50_000 };

t.test('a Binding request is answered only for our ufrag and signed with our pwd', async (t) => {
  const ok = answerBinding(bindingRequest('ours:theirs', 'secret-pwd'), 'ours', 'secret-pwd', from);
  t.ok(ok, 'answered');
  t.equal(ok?.nominated, true);
  t.equal(ok?.response.readUInt16BE(0), 0x0101, 'a Binding success');
  t.equal(answerBinding(bindingRequest('ours:theirs', 'guessed-pwd'), 'ours', 'secret-pwd', from), undefined, 'a wrong signature: dropped');
  t.equal(answerBinding(bindingRequest('other:theirs', 'secret-pwd'), 'ours', 'secret-pwd', from), undefined, 'another ufrag: dropped');
  const tampered = bindingRequest('ours:theirs', 'secret-pwd');
  tampered.writeUInt8((tampered.readUInt8(tampered.length - 1) ^ 1), tampered.length - 1);
  t.equal(answerBinding(tampered, 'ours', 'secret-pwd', from), undefined, 'a bad fingerprint: dropped');
  t.equal(answerBinding(Buffer.alloc(19), 'ours', 'secret-pwd', from), undefined, 'too short: dropped');
});

t.test('no DTLS or RTP passes before ICE verified a peer, nor from another address afterwards', async (t) => {
  const media = new WebrtcMedia(await dtlsCertificate(), pino({ level: 'silent' }));
  t.teardown(() => media.close());
  const sent: Array<{ to: string }> = [];
  const verified: string[] = [];
  media.attach({ sendRaw: (_d, to) => sent.push({ to: `${to.address}:${to.port}` }), peerVerified: (p) => verified.push(`${p.address}:${p.port}`) });
  const rtp = Buffer.alloc(172);
  rtp[0] = 0x80;
  const dtlsHello = Buffer.alloc(40, 0);
  dtlsHello[0] = 22;
  t.equal(media.inbound(rtp, from), undefined);
  t.equal(media.inbound(dtlsHello, from), undefined);
  t.equal(media.drops.notPeer, 2, 'both dropped before ICE');
  t.equal(media.inbound(bindingRequest(`${media.local.iceUfrag}:x`, 'wrong'), from), undefined);
  t.same(verified, [], 'a badly signed check verifies nobody');
  media.inbound(bindingRequest(`${media.local.iceUfrag}:x`, media.local.icePwd), from);
  t.same(verified, ['127.0.0.1:50000'], 'a signed check verifies its source');
  t.same(sent, [{ to: '127.0.0.1:50000' }], 'and is answered there');
  t.equal(media.inbound(rtp, { address: '127.0.0.9', port: 50_000 }), undefined);
  t.equal(media.drops.notPeer, 3, 'media from a stranger is still dropped');
  t.equal(media.inbound(rtp, from), undefined);
  t.equal(media.drops.beforeKeys, 1, 'RTP from the peer before DTLS gave keys: dropped');
  t.equal(media.outbound(rtp), undefined, 'nothing is sent in clear before the keys');
});
