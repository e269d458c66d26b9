import t from 'tap';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { DtmfReceiver, decodeTelephoneEvent, encodeTelephoneEvent, planDigit } from '../../src/embedded/media/dtmf.js';
import { RtpPeer, silentLogger, sleep } from './fixtures/rtp-peer.js';

t.test('telephone-event payload encode/decode (RFC 4733 §2.3)', async (t) => {
  const bytes = encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
  t.same([...bytes], [11, 0x8a, 0x03, 0x20]);
  t.same(decodeTelephoneEvent(bytes), { event: 11, end: true, volume: 10, duration: 800 });
  t.equal(decodeTelephoneEvent(Uint8Array.from([1, 2])), undefined, 'short payload is ignored');
});

t.test('receiver: one digit per event, however many end packets', async (t) => {
  const r = new DtmfReceiver();
  const pkt = (event: number, ts: number, end: boolean, duration: number) => ({
    timestamp: ts, ssrc: 7, payload: encodeTelephoneEvent({ event, end, volume: 10, duration }),
  });
  const got: string[] = [];
  const feed = (p: ReturnType<typeof pkt>) => got.push(...r.receive(p));
  feed(pkt(5, 1000, false, 0));
  feed(pkt(5, 1000, false, 160));
  t.same(got, [], 'nothing before the end');
  feed(pkt(5, 1000, true, 800));
  feed(pkt(5, 1000, true, 800));
  feed(pkt(5, 1000, true, 800));
  t.same(got, ['5'], 'three end packets, one digit');
  feed(pkt(5, 3000, false, 0));
  feed(pkt(5, 3000, true, 800));
  t.same(got, ['5', '5'], 'the same key again is a new event (new timestamp)');
  feed(pkt(10, 5000, false, 0)); // '*' whose end packets are all lost
  feed(pkt(11, 7000, false, 0));
  t.same(got, ['5', '5', '*'], 'an event that never ended is reported when the next starts');
  feed(pkt(11, 7000, true, 800));
  t.same(got, ['5', '5', '*', '#']);
});

t.test('a leg decodes digits from real RFC 4733 packets on the negotiated PT', async (t) => {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, telephoneEventPayloadType: 96, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  const digits: string[] = [];
  leg.on('dtmf', (d) => digits.push(d));
  let seq = 100;
  const sendDigit = async (digit: number, ts: number, pt = 96) => {
    for (let i = 0; i < 5; i++) {
      await peer.send({ payloadType: pt, sequenceNumber: seq++, timestamp: ts, marker: i === 0, payload: encodeTelephoneEvent({ event: digit, end: false, volume: 10, duration: i * 160 }) }, leg.localPort);
      await sleep(5);
    }
    for (let i = 0; i < 3; i++) {
      await peer.send({ payloadType: pt, sequenceNumber: seq++, timestamp: ts, payload: encodeTelephoneEvent({ event: digit, end: true, volume: 10, duration: 800 }) }, leg.localPort);
    }
  };
  await sendDigit(1, 16000);
  await sendDigit(2, 17600);
  await sendDigit(2, 19200);
  await sendDigit(11, 20800);
  await sendDigit(3, 22400, 101); // not the negotiated PT: not a digit
  await peer.waitFor(() => digits.length >= 4, 2000, 'digits').catch(() => undefined);
  await sleep(100);
  t.same(digits, ['1', '2', '2', '#']);
});

t.test('sendDigits sends RFC 4733 events: marker on the first, one timestamp, 3 end packets', async (t) => {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 8, telephoneEventPayloadType: 101, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  await leg.sendDigits('9#');
  await peer.waitFor(() => peer.received.length >= 16, 2000, 'event packets');
  const events = peer.packets(101);
  t.equal(events.length, peer.received.length, 'all on PT 101');
  const byTs = new Map<number, typeof events>();
  for (const p of events) byTs.set(p.timestamp, [...(byTs.get(p.timestamp) ?? []), p]);
  t.equal(byTs.size, 2, 'two events, one timestamp each');
  const decoded = [...byTs.values()].map((ps) => ps.map((p) => decodeTelephoneEvent(p.payload)));
  t.same(decoded.map((d) => d[0]?.event), [9, 11]);
  for (const [i, ps] of [...byTs.values()].entries()) {
    t.equal(ps[0]?.marker, true, `event ${i}: marker on the first packet`);
    t.equal(ps.filter((p) => p.marker).length, 1);
    t.equal(ps.filter((p) => decodeTelephoneEvent(p.payload)?.end).length, 3, `event ${i}: 3 end packets`);
  }
  // And our own receiver reads them back as the same digits.
  const r = new DtmfReceiver();
  t.same(events.flatMap((p) => r.receive(p)), ['9', '#']);
  t.equal(planDigit('A').packets.length, 5 + 3);
  t.throws(() => planDigit('x'), RangeError);
});
