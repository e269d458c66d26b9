import t from 'tap';
import fc from 'fast-check';
import { parseRtp, serializeRtp } from '../../src/embedded/rtp/packet.js';
import type { RtpPacket } from '../../src/embedded/rtp/packet.js';

t.test('parses a known packet byte for byte', async (t) => {
  // V=2, no P/X, CC=0, M=1, PT=0, seq=0x1234, ts=0x01020304, ssrc=0xdeadbeef, payload ff ff
  const bytes = Buffer.from('80801234010203 04deadbeefffff'.replace(/ /g, ''), 'hex');
  const r = parseRtp(bytes);
  t.ok(r.ok);
  if (!r.ok) return;
  t.match(r.packet, { payloadType: 0, marker: true, sequenceNumber: 0x1234, timestamp: 0x01020304, ssrc: 0xdeadbeef, csrc: [] });
  t.same([...r.packet.payload], [0xff, 0xff]);
  t.same(serializeRtp(r.packet), bytes, 'serialises back to the same bytes');
});

t.test('round trip with CSRCs, a header extension and padding', async (t) => {
  const p: RtpPacket = {
    payloadType: 101,
    marker: false,
    sequenceNumber: 65535,
    timestamp: 0xffffffff,
    ssrc: 1,
    csrc: [0x11111111, 0x22222222],
    extension: { profile: 0xbede, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    payload: Uint8Array.from([9, 8, 7]),
    paddingLength: 5,
  };
  const buf = serializeRtp(p);
  t.equal(buf.length, 12 + 8 + 4 + 8 + 3 + 5);
  t.equal(buf[0], 0x80 | 0x20 | 0x10 | 2, 'P, X and CC bits set');
  const r = parseRtp(buf);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.packet.csrc, p.csrc);
  t.same([...(r.packet.extension?.data ?? [])], [1, 2, 3, 4, 5, 6, 7, 8]);
  t.equal(r.packet.extension?.profile, 0xbede);
  t.same([...r.packet.payload], [9, 8, 7], 'padding is not part of the payload');
  t.equal(r.packet.paddingLength, 5);
});

t.test('rejects junk without throwing', async (t) => {
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['too short', Buffer.from('8000', 'hex')],
    ['version 1', Buffer.from('400000010000000000000001', 'hex')],
    ['CSRC count beyond the end', Buffer.from('8f0000010000000000000001', 'hex')],
    ['extension beyond the end', Buffer.from('90000001000000000000000100010005', 'hex')],
    ['padding longer than the packet', Buffer.from('a0000001000000000000000100ff', 'hex')],
    ['zero padding length', Buffer.from('a000000100000000000000010000', 'hex')],
    ['an RTCP sender report', Buffer.from('80c8000600000001000000000000000000000000', 'hex')],
  ];
  for (const [name, buf] of cases) {
    const r = parseRtp(buf);
    t.notOk(r.ok, name);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = parseRtp(bytes);
      if (!r.ok) return true;
      // What parses must fit in the input.
      return r.packet.payload.length <= bytes.length - 12;
    }),
    { numRuns: 3000 },
  );
});

t.test('any valid packet survives serialise + parse', async () => {
  fc.assert(
    fc.property(
      fc.record({
        payloadType: fc.integer({ min: 0, max: 127 }).filter((pt) => pt < 72 || pt > 76),
        marker: fc.boolean(),
        sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
        timestamp: fc.integer({ min: 0, max: 0xffffffff }),
        ssrc: fc.integer({ min: 0, max: 0xffffffff }),
        csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
        payload: fc.uint8Array({ maxLength: 400 }),
      }),
      (p) => {
        const r = parseRtp(serializeRtp(p));
        return r.ok && r.packet.sequenceNumber === p.sequenceNumber && r.packet.timestamp === p.timestamp &&
          r.packet.ssrc === p.ssrc && r.packet.marker === p.marker && r.packet.payloadType === p.payloadType &&
          Buffer.from(r.packet.payload).equals(Buffer.from(p.payload)) && r.packet.csrc.length === p.csrc.length;
      },
    ),
  );
});
