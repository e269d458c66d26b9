// The ACD path through the whole product on an engine in other processes
// (FreeSWITCH alone, or drachtio-server's edge with FreeSWITCH's media), written
// once: a SIPp caller dials an entry number, picks the sales queue in an IVR
// menu with a digit, and is connected to the agent's softphone, a baresip
// registered at the site's SIP port with the device secret Tenor holds. Audio is
// checked on the wire both ways by payload (what each side receives is what the
// other sent), then the caller hangs up, the agent goes through wrap-up and the
// call shows in the call records and the report. The media runs through
// FreeSWITCH on either engine: its RTP ports are the site's rtp range.
import path from 'node:path';
import type { Test } from 'tap';
import { makeToneUlaw, rtpFlows, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH, tempDir } from '../helpers.js';
import { agentPhone, caller, finished, ms, startSite } from '../acd-sip/site.js';
import { runsOn, type TestEngine } from './engine.js';

export const ACD_PATH = 'entry number → IVR menu (1) → sales queue → agent softphone, audio both ways, wrap-up, record';

const MENU = `
name: menu
version: 1
language: en
timezone: UTC
start: main
nodes:
  main:
    type: menu
    prompts: [thank-you]
    options: { '1': sales, '2': support }
    timeout: 8s
    retries: 0
    fallback: support
  sales: { type: queue, queue: sales }
  support: { type: queue, queue: support }
`;


/**
 * The path on `engine`. `CARRIER` is the caller's address, where its SIPp runs: one no other test uses
 * (one per engine; the contract suite's trunk is 127.0.0.2), so the capture holds this call's packets
 * only, whatever runs beside it.
 */
export async function acdPathScenario(t: Test, engine: TestEngine, CARRIER: string): Promise<void> {
  const wrapUpSeconds = 3;
  const s = await startSite(t, engine.site({
    queues: [{ name: 'sales', ringTimeoutSeconds: 15, wrapUpSeconds }, { name: 'support' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550300', flow: 'menu' }],
    // Callers come from the carrier: a trunk's address is let in without a challenge.
    trunks: [{ name: 'carrier', host: CARRIER, inboundAddresses: [CARRIER] }],
    flows: [{ name: 'menu', file: 'flows/menu.yaml' }],
  }), { files: { 'flows/menu.yaml': MENU } });
  runsOn(t, engine, s.engine);

  // The softphone registers at the site's SIP port (FreeSWITCH's, or drachtio's edge), which checks ann's device secret Tenor holds.
  const phone = await agentPhone(t, s, 'ann'); // its microphone: an endless sine
  await s.setState('ann', 'ready');
  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: 700 });
  // The caller's media (to and from the carrier's address) and the phone's; FreeSWITCH's ports are the site's rtp range.
  const capture = await startCapture({ filter: `udp and (host ${CARRIER} or portrange ${phone.rtpPorts.from}-${phone.rtpPorts.to})` });
  t.teardown(() => capture.dispose());

  const stayMs = 8000;
  const p = await caller(t, s, { number: '+15550300', caller: '+31201110001', digits: '1', toneFile: tone, stayMs, localAddress: CARRIER });
  const ended = await s.bus.wait('flow_ended', () => true, 30_000);
  t.match(ended.payload, { how: 'completed', outcome: { type: 'queue', queue: 'sales' } }, 'the menu sent the caller to sales by the digit 1');
  const queued = await s.bus.wait('call_queued');
  t.equal(queued.payload.queue, 'sales');
  await s.bus.wait('call_answered', () => true, 30_000);
  t.equal((await s.agentView('ann')).state, 'on-call', 'ann is on the call');
  await finished(p, 'the caller', stayMs + 60_000);
  await s.bus.wait('call_ended');
  const { packets } = await capture.stop();

  // Wrap-up, then ready again by itself.
  await s.bus.wait('agent_state_changed', (e) => e.login === 'ann' && e.to === 'wrap-up');
  const ready = await s.bus.wait('agent_state_changed', (e) => e.login === 'ann' && e.from === 'wrap-up' && e.to === 'ready', (wrapUpSeconds + 10) * 1000);
  t.ok(ready, `ann went through ${wrapUpSeconds} s of wrap-up and is ready again`);

  const [r] = await s.calls();
  t.match(r, { queue: 'sales', agent: 'ann', outcome: 'answered', live: false, from: '+31201110001' }, 'record: answered by ann in sales');
  if (!r) return;
  const report = await s.app.inject({ method: 'GET', url: '/api/reports/inbound?queue=sales', headers: ADMIN_AUTH });
  t.match(JSON.parse(report.body), { total: { offered: 1, answered: 1 } }, 'the inbound report counts it');

  // The connected part only: from the answer (plus the bridge set-up) to just before the end.
  const from = ms(r.answeredAt) + 500;
  const to = ms(r.endedAt) - 300;
  const seconds = (to - from) / 1000;
  t.ok(seconds >= 4, `connected for ${seconds.toFixed(1)} s`);
  const window = packets.filter((pkt) => pkt.timeMs >= from && pkt.timeMs <= to);
  // FreeSWITCH's RTP ports are the site's rtp range; the caller and the phone use ports of their own.
  const inEngine = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isPhone = (port: number): boolean => port >= phone.rtpPorts.from && port <= phone.rtpPorts.to;
  const isCaller = (port: number): boolean => !inEngine(port) && !isPhone(port);
  const flows = [...rtpFlows(window).values()];
  const count = (pred: (f: { srcPort: number; dstPort: number }) => boolean): number => flows.filter(pred).reduce((n, f) => n + f.packets, 0);
  const expected = seconds * 50; // 20 ms packets
  const describe = flows.map((f) => `${f.key}:${f.packets}`).join(' ');
  for (const [what, n] of [
    ['caller → FreeSWITCH', count((f) => isCaller(f.srcPort) && inEngine(f.dstPort))],
    ['FreeSWITCH → agent', count((f) => inEngine(f.srcPort) && isPhone(f.dstPort))],
    ['agent → FreeSWITCH', count((f) => isPhone(f.srcPort) && inEngine(f.dstPort))],
    ['FreeSWITCH → caller', count((f) => inEngine(f.srcPort) && isCaller(f.dstPort))],
  ] as const) {
    t.ok(n >= expected * 0.9, `${what}: ${n} packets in ${seconds.toFixed(1)} s (≥ 90% of ${Math.round(expected)}) ${n < expected * 0.9 ? describe : ''}`);
  }

  // What each side hears is what the other sent (PCMU both ways, no mixing, no transcoding).
  const rtp = rtpPackets(window);
  const payloads = (pred: (x: { srcPort: number; dstPort: number }) => boolean): string[] =>
    rtp.filter((x) => pred(x) && x.payloadType === 0).map((x) => x.payload.toString('hex'));
  const callerSent = new Set(payloads((x) => isCaller(x.srcPort) && inEngine(x.dstPort)));
  const toAgent = payloads((x) => inEngine(x.srcPort) && isPhone(x.dstPort));
  const agentHeard = toAgent.filter((h) => callerSent.has(h)).length;
  t.ok(toAgent.length > 0 && agentHeard >= toAgent.length * 0.9, `the agent gets the caller's audio (${agentHeard} of ${toAgent.length} packets carry it)`);
  const agentSent = new Set(payloads((x) => isPhone(x.srcPort) && inEngine(x.dstPort)));
  const toCaller = payloads((x) => inEngine(x.srcPort) && isCaller(x.dstPort));
  const callerHeard = toCaller.filter((h) => agentSent.has(h)).length;
  t.ok(toCaller.length > 0 && callerHeard >= toCaller.length * 0.9, `the caller gets the agent's audio (${callerHeard} of ${toCaller.length} packets carry it)`);
}
