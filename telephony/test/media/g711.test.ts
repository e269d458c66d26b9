import t from 'tap';
import fc from 'fast-check';
import {
  PCMA, PCMU, alawToUlaw, decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, g711ForPayloadType, transcodeG711, ulawToAlaw,
} from '../../src/embedded/media/g711.js';

t.test('µ-law known vectors (ITU-T G.711)', async (t) => {
  t.same([...encodeUlaw(Int16Array.from([0, -1, 32767, -32768, 1000, -1000]))], [0xff, 0x7f, 0x80, 0x00, 0xce, 0x4e]);
  t.same([...decodeUlaw(Uint8Array.from([0xff, 0x7f, 0x80, 0x00, 0xce]))], [0, 0, 32124, -32124, 988]);
});

t.test('A-law known vectors (ITU-T G.711)', async (t) => {
  t.same([...encodeAlaw(Int16Array.from([0, -1, 32767, -32768]))], [0xd5, 0x55, 0xaa, 0x2a]);
  t.same([...decodeAlaw(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]))], [8, -8, 32256, -32256]);
});

t.test('decoding then encoding gives back every code byte', async (t) => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const ulaw = encodeUlaw(decodeUlaw(all));
  // 0x7F is µ-law's "negative zero": it decodes to 0, which encodes as 0xFF.
  t.same([...ulaw].filter((b, i) => b !== i), [0xff]);
  t.same(encodeAlaw(decodeAlaw(all)), all);
});

t.test('round trip error stays within the G.711 quantisation step', async () => {
  fc.assert(
    fc.property(fc.integer({ min: -32768, max: 32767 }), (s) => {
      const pcm = Int16Array.from([s]);
      for (const codec of [PCMU, PCMA]) {
        const back = codec.decode(codec.encode(pcm))[0] as number;
        const clipped = Math.max(-32124, Math.min(32124, s));
        // Segment step is 1/16 of the segment: relative error < 1/16 plus a small absolute floor.
        if (Math.abs(back - clipped) > Math.abs(clipped) / 16 + 34) return false;
      }
      return true;
    }),
    { numRuns: 5000 },
  );
});

t.test('PCMU <-> PCMA transcoding keeps the signal', async (t) => {
  const pcm = Int16Array.from({ length: 800 }, (_, i) => Math.round(12000 * Math.sin(i / 5)));
  const viaA = decodeAlaw(ulawToAlaw(encodeUlaw(pcm)));
  const viaU = decodeUlaw(alawToUlaw(encodeAlaw(pcm)));
  for (const out of [viaA, viaU]) {
    let err = 0;
    for (let i = 0; i < pcm.length; i++) err = Math.max(err, Math.abs((out[i] as number) - (pcm[i] as number)) / Math.max(256, Math.abs(pcm[i] as number)));
    t.ok(err < 0.15, `relative error ${err.toFixed(3)} is small`);
  }
  t.equal(transcodeG711(Uint8Array.from([0xff]), PCMU, PCMA)[0], 0xd5, 'µ-law silence becomes A-law silence');
  // A-law's smallest step is ±8, which µ-law has a code for (0xFE): still near silence.
  t.ok(Math.abs(decodeUlaw(transcodeG711(Uint8Array.from([0xd5]), PCMA, PCMU))[0] as number) <= 8, 'A-law silence stays near silence in µ-law');
  const same = Uint8Array.from([1, 2, 3]);
  t.equal(transcodeG711(same, PCMU, PCMU), same, 'same law passes through');
});

t.test('payload type lookup', async (t) => {
  t.equal(g711ForPayloadType(0), PCMU);
  t.equal(g711ForPayloadType(8), PCMA);
  t.equal(g711ForPayloadType(18), undefined);
});
