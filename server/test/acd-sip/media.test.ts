// Audio once a queued caller is connected, over real SIP and RTP: captured on
// the wire (tcpdump on Tenor's RTP ports), the caller's stream reaches the
// agent's softphone and the softphone's reaches the caller, both ways, for the
// whole time they talk.
import t from 'tap';
import path from 'node:path';
import { makeToneUlaw, rtpFlows, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { agentPhone, caller, finished, ms, startSite } from './site.js';

t.test('RTP flows both ways between the caller and the agent once connected', async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const phone = await agentPhone(t, s, 'ann'); // its microphone: an endless sine
  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: 700 });
  const capture = await startCapture({ portRange: s.rtp });
  t.teardown(() => capture.dispose());

  // Nobody ready at first: the caller hears music on hold for 2 s, then ann logs in.
  const stayMs = 8000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs, toneFile: tone });
  await s.bus.wait('call_queued');
  const queuedSeen = Date.now();
  await new Promise((r) => setTimeout(r, 2000));
  await s.setState('ann', 'ready');
  await s.bus.wait('call_answered');
  const answeredSeen = Date.now();
  await finished(p, 'the caller');
  await s.bus.wait('call_ended');
  const { packets } = await capture.stop();
  const [r] = await s.calls();
  t.match(r, { outcome: 'answered', agent: 'ann', live: false }, 'record: answered by ann');
  if (!r) return;
  // At least the 2 s nobody was ready; at most what the test saw between the two events
  // (plus a second for the events' own delivery): ringing ann takes longer on a busy machine.
  const seenSeconds = (answeredSeen - queuedSeen) / 1000;
  const waited = r.waitSeconds ?? 0;
  t.ok(waited >= 1.5 && waited <= seenSeconds + 1, `waited ${waited} s for ann (2 s before she was ready, ${seenSeconds.toFixed(1)} s seen)`);

  // The connected part only: from the answer (plus the bridge set-up) to just before the end.
  const from = ms(r.answeredAt) + 500;
  const to = ms(r.endedAt) - 300;
  const seconds = (to - from) / 1000;
  t.ok(seconds >= 3, `connected for ${seconds.toFixed(1)} s`);
  const window = packets.filter((pkt) => pkt.timeMs >= from && pkt.timeMs <= to);
  const flows = [...rtpFlows(window).values()];
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isPhone = (port: number): boolean => port >= phone.rtpPorts.from && port <= phone.rtpPorts.to;
  const count = (pred: (f: { srcPort: number; dstPort: number }) => boolean): number => flows.filter(pred).reduce((n, f) => n + f.packets, 0);
  const fromCaller = count((f) => inTenor(f.dstPort) && !isPhone(f.srcPort) && !inTenor(f.srcPort));
  const toPhone = count((f) => inTenor(f.srcPort) && isPhone(f.dstPort));
  const fromPhone = count((f) => isPhone(f.srcPort) && inTenor(f.dstPort));
  const toCaller = count((f) => inTenor(f.srcPort) && !isPhone(f.dstPort) && !inTenor(f.dstPort));
  const expected = seconds * 50; // 20 ms packets
  const describe = flows.map((f) => `${f.key}:${f.packets}`).join(' ');
  for (const [what, n] of [['caller → Tenor', fromCaller], ['Tenor → agent', toPhone], ['agent → Tenor', fromPhone], ['Tenor → caller', toCaller]] as const) {
    t.ok(n >= expected * 0.9, `${what}: ${n} packets in ${seconds.toFixed(1)} s (≥ 90% of ${Math.round(expected)}) ${n < expected * 0.9 ? describe : ''}`);
  }
  t.ok(phone.events.some((e) => e.type === 'CALL_RTPESTAB'), 'the softphone saw RTP arrive');

  // What each side hears is what the other sent: the relayed payloads are the sent ones (PCMU both ways, no mixing).
  const rtp = rtpPackets(window);
  const payloads = (pred: (p: { srcPort: number; dstPort: number }) => boolean): string[] =>
    rtp.filter((x) => pred(x) && x.payloadType === 0).map((x) => x.payload.toString('hex'));
  const sent = new Set(payloads((x) => inTenor(x.dstPort) && !isPhone(x.srcPort) && !inTenor(x.srcPort)));
  const relayed = payloads((x) => inTenor(x.srcPort) && isPhone(x.dstPort));
  const heard = relayed.filter((h) => sent.has(h)).length;
  t.ok(relayed.length > 0 && heard >= relayed.length * 0.9, `the agent gets the caller's audio (${heard} of ${relayed.length} packets carry it)`);
  const agentSent = new Set(payloads((x) => isPhone(x.srcPort) && inTenor(x.dstPort)));
  const toCallerPayloads = payloads((x) => inTenor(x.srcPort) && !isPhone(x.dstPort) && !inTenor(x.dstPort));
  const callerHeard = toCallerPayloads.filter((h) => agentSent.has(h)).length;
  t.ok(toCallerPayloads.length > 0 && callerHeard >= toCallerPayloads.length * 0.9, `the caller gets the agent's audio (${callerHeard} of ${toCallerPayloads.length} packets carry it)`);
});
