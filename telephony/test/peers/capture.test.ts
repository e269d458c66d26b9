// The pcap reader on hand-built files: every link type tcpdump may write on
// Linux loopback, RTP decoding, flow figures and RFC 4733 digit decoding.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { decodeRtp, parsePcap, rfc4733Digits, rtpFlows, rtpPackets, startCapture, type UdpPacket } from './capture.js';
import { freeUdpPort } from './ports.js';

function rtp(pt: number, seq: number, ts: number, payload: Buffer, marker = false): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq, 2);
  h.writeUInt32BE(ts, 4);
  h.writeUInt32BE(0x11223344, 8);
  return Buffer.concat([h, payload]);
}

function ipUdp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(srcPort, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([ip, udp, payload]);
}

function link(type: number, ipPacket: Buffer): Buffer {
  switch (type) {
    case 1: {
      const eth = Buffer.alloc(14);
      eth.writeUInt16BE(0x0800, 12);
      return Buffer.concat([eth, ipPacket]);
    }
    case 113: {
      const sll = Buffer.alloc(16);
      sll.writeUInt16BE(0x0800, 14);
      return Buffer.concat([sll, ipPacket]);
    }
    case 0: {
      const fam = Buffer.alloc(4);
      fam.writeUInt32LE(2, 0);
      return Buffer.concat([fam, ipPacket]);
    }
    default:
      return ipPacket;
  }
}

function pcap(linkType: number, frames: { timeMs: number; frame: Buffer }[], bigEndian = false): Buffer {
  const w32 = (b: Buffer, v: number, o: number): void => {
    if (bigEndian) b.writeUInt32BE(v, o);
    else b.writeUInt32LE(v, o);
  };
  const gh = Buffer.alloc(24);
  w32(gh, 0xa1b2c3d4, 0);
  if (bigEndian) { gh.writeUInt16BE(2, 4); gh.writeUInt16BE(4, 6); } else { gh.writeUInt16LE(2, 4); gh.writeUInt16LE(4, 6); }
  w32(gh, 65535, 16);
  w32(gh, linkType, 20);
  const recs = frames.map(({ timeMs, frame }) => {
    const rh = Buffer.alloc(16);
    w32(rh, Math.floor(timeMs / 1000), 0);
    w32(rh, Math.round((timeMs % 1000) * 1000), 4);
    w32(rh, frame.length, 8);
    w32(rh, frame.length, 12);
    return Buffer.concat([rh, frame]);
  });
  return Buffer.concat([gh, ...recs]);
}

function dtmfEnd(event: number): Buffer {
  return Buffer.from([event, 0x80 | 10, 0x03, 0x20]);
}

for (const [name, type, be] of [['ethernet', 1, false], ['linux cooked', 113, false], ['bsd loopback', 0, false], ['raw ip, big-endian file', 101, true]] as const) {
  t.test(`pcap reader: ${name}`, async (t) => {
    const frames: { timeMs: number; frame: Buffer }[] = [];
    let time = 1_000_000;
    frames.push({ timeMs: time, frame: link(type, ipUdp(5060, 5070, Buffer.from('INVITE sip:x@y SIP/2.0\r\n\r\n'))) });
    for (let i = 0; i < 50; i++) {
      time += 20;
      frames.push({ timeMs: time, frame: link(type, ipUdp(4000, 4002, rtp(0, 100 + i, i * 160, Buffer.alloc(160, 0xff)))) });
    }
    // one lost packet and a 60 ms gap
    time += 60;
    frames.push({ timeMs: time, frame: link(type, ipUdp(4000, 4002, rtp(0, 151, 51 * 160, Buffer.alloc(160, 0xff)))) });
    // digits 5 then #, end packets sent three times each
    for (const [ev, ts] of [[5, 9000], [11, 9800]] as const) {
      for (let k = 0; k < 3; k++) frames.push({ timeMs: time, frame: link(type, ipUdp(4000, 4002, rtp(101, 0, ts, dtmfEnd(ev)))) });
    }
    const packets = parsePcap(pcap(type, frames, be));
    t.equal(packets.length, frames.length);
    t.equal(packets[0]?.srcIp, '127.0.0.1');
    t.equal(decodeRtp(packets[0] as UdpPacket), undefined, 'SIP is not RTP');
    const flow = rtpFlows(packets).get('4000->4002');
    t.equal(flow?.packets, 57);
    t.same(flow?.payloadTypes, { 0: 51, 101: 6 });
    t.equal(flow?.lost, 1);
    t.equal(flow?.intervals.gaps, 1);
    t.ok(Math.abs((flow?.intervals.p50 ?? 0) - 20) < 0.01);
    t.equal(rfc4733Digits(rtpPackets(packets)), '5#');
    t.equal(rfc4733Digits(rtpPackets(packets), { payloadType: 96 }), '');
  });
}

t.test('GIVEN tcpdump on lo WHEN datagrams are sent THEN stop() returns every one of them', async (t) => {
  const port = await freeUdpPort();
  const cap = await startCapture({ ports: [port] });
  t.teardown(() => cap.dispose());
  const sock = createSocket('udp4');
  t.teardown(() => sock.close());
  for (let i = 0; i < 20; i++) {
    await new Promise<void>((resolve, reject) => sock.send(rtp(8, i, i * 160, Buffer.alloc(160)), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  const r = await cap.stop();
  const flows = [...rtpFlows(r.packets).values()];
  t.equal(flows.length, 1);
  t.equal(flows[0]?.packets, 20);
  t.same(flows[0]?.payloadTypes, { 8: 20 });
});
