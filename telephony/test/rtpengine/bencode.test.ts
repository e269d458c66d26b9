// Bencode as rtpengine speaks it: values survive a round trip, and input off
// the wire that is malformed, truncated, oversized or nested too deep is a
// BencodeError, never a crash.
import fc from 'fast-check';
import t from 'tap';
import { BencodeError, decode, encode, type BencodeValue } from '../../src/rtpengine/bencode.js';

const value: fc.Arbitrary<BencodeValue> = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme' }),
    fc.maxSafeInteger(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }).map((d) => ({ ...d })),
  ),
})).value;

t.test('values survive a round trip', async (t) => {
  fc.assert(fc.property(value, (v) => {
    t.same(decode(encode(v)), v);
  }), { numRuns: 300 });
  t.equal(encode({ sdp: 'v=0', command: 'offer', 'call-id': 'é' }).toString('utf8'), 'd7:call-id2:é7:command5:offer3:sdp3:v=0e',
    'keys sorted, lengths in bytes');
  t.same(decode(Buffer.from('d6:result4:pong3:abci-5ee')), { result: 'pong', abc: -5 }, 'keys in any order are read');
});

t.test('malformed input is a BencodeError', async (t) => {
  const bad = [
    '', 'x', 'i42', 'i04e', 'i-0e', 'ie', 'i1.5e', '5:abc', '-1:a', '01:a', 'l', 'li1e', 'd3:abc', 'd3:abce',
    'di1ei2ee', 'd1:ai1e1:ai2ee', 'i1ei2e', '4:spamX', `i${'9'.repeat(20)}e`, '99999999999999999999:a',
  ];
  for (const input of bad) t.throws(() => decode(Buffer.from(input, 'latin1')), BencodeError, JSON.stringify(input));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try {
      decode(Buffer.from(bytes));
    } catch (err) {
      if (!(err instanceof BencodeError)) throw err;
    }
  }), { numRuns: 2000 });
});

t.test('bounded: oversized or deeply nested input is refused', async (t) => {
  t.throws(() => decode(Buffer.alloc(70_000, 0x30)), /exceeds 65535/);
  t.throws(() => decode(Buffer.from(`${'l'.repeat(40)}${'e'.repeat(40)}`)), /nested deeper than 32/);
  t.throws(() => decode(Buffer.from(`${'l'.repeat(100_000)}`), { maxBytes: 200_000 }), /nested deeper/, 'no stack overflow');
  t.throws(() => decode(Buffer.from('1:a'), { maxBytes: 2 }), /exceeds 2/);
  const proto = decode(Buffer.from('d9:__proto__d1:xi1eee'));
  t.equal(({} as Record<string, unknown>)['x'], undefined, 'a "__proto__" key pollutes nothing');
  t.same(Object.keys(proto as object), ['__proto__']);
});

t.test('encode refuses what bencode cannot carry', async (t) => {
  t.throws(() => encode(1.5), BencodeError);
  t.throws(() => encode(Number.MAX_SAFE_INTEGER + 2), BencodeError);
});
