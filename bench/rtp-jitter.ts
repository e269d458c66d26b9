// The jitter Tenor's relay adds, measured with a sender precise enough for the
// figure to mean something (issue 19 item 3). N callers (one paced sender,
// lib/paced-sender.ts: 20 ms PCMU frames on absolute deadlines from a worker
// thread) each call the bench server (lib/server.ts: the B2BUA bridges every
// call to a SIPp uas that echoes RTP), so every frame crosses Tenor's relay
// twice and comes back; the receiver timestamps it on arrival. Printed per
// step: the sender's own jitter (|inter-departure − 20 ms| and lateness against
// its deadline, p50/p99), the added jitter (|inter-arrival − inter-departure|
// p50/p99), the largest extra gap, loss, and the server's CPU; and where
// the gaps come from: the server's GC pauses and event-loop stalls of 2 ms or
// more (lib/pauses.ts, recorded in the server), the receiving thread's own,
// and which of them overlap the largest gap.
//
//   bench/run.sh rtp-jitter [calls=50,100,200] [windowSeconds=10]
import { loadavg } from 'node:os';
import { freeUdpPort } from '../telephony/test/peers/ports.js';
import { percentile } from '../telephony/test/peers/capture.js';
import { startMediaRig, waitBridged } from './lib/media-calls.js';
import { jitterOf, startPacedRig, type PacedStream } from './lib/paced-sender.js';
import { startSipCaller } from './lib/sip-caller.js';
import { cpuBetween } from './lib/spawn-server.js';
import { describePauses, hrtimeToWallMs, overlapping, recordPauses, wallNowMs, type Pause } from './lib/pauses.js';

const steps = (process.argv[2] ?? '50,100,200').split(',').map(Number);
const windowS = Number(process.argv[3] ?? 10);
const WARMUP_S = 2;
const FRAMES_PER_S = 50;
const SETUP_RATE = 50; // calls per second
/** Pauses shorter than this are not recorded (a 20 ms frame interval hides them). */
const PAUSE_MS = 2;

interface StepFigures {
  calls: number;
  answered: number;
  senderP50: number;
  senderP99: number;
  latenessP99: number;
  addedP50: number;
  addedP99: number;
  largestGapMs: number;
  lossPercent: number;
  cpuPercent: number;
  usPerPacket: number;
  load: string;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

async function step(calls: number): Promise<StepFigures> {
  const loadBefore = load();
  const rig = await startMediaRig(WARMUP_S + windowS + 30, 'embedded', { recordPausesMs: PAUSE_MS });
  const receiverPauses = recordPauses(PAUSE_MS);
  const paced = await startPacedRig({ address: '127.0.0.1', port: await freeUdpPort(), streams: calls });
  const caller = await startSipCaller({ server: rig.server.address, service: '1000' });
  try {
    const placing: Promise<PacedStream | undefined>[] = [];
    for (let i = 0; i < calls; i++) {
      placing.push(caller.call(paced.port).then((c) => ({ remoteAddress: c.remoteRtp.address, remotePort: c.remoteRtp.port }), (err: unknown) => {
        console.log(`call ${i} failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }));
      await new Promise((r) => setTimeout(r, 1000 / SETUP_RATE));
    }
    const placed = await Promise.all(placing);
    const streams = placed.filter((s): s is PacedStream => s !== undefined);
    if (streams.length < calls) console.log(`${calls - streams.length} of ${calls} calls failed to set up`);
    if (!(await waitBridged(rig, streams.length, 20_000))) console.log('not every answered call was bridged');

    const sampling = (async () => {
      await new Promise((r) => setTimeout(r, WARMUP_S * 1000 + 50));
      const fromMs = wallNowMs();
      const s0 = await rig.server.sample();
      await new Promise((r) => setTimeout(r, windowS * 1000));
      const s1 = await rig.server.sample();
      const serverPauses = (s1.pauses ?? []).filter((p) => p.atMs >= fromMs);
      return { ...cpuBetween(s0, s1), wallMs: s1.wallMs - s0.wallMs, fromMs, serverPauses };
    })();
    const sender = await paced.run(streams, (WARMUP_S + windowS + 0.5) * 1000);
    const cpu = await sampling;
    await new Promise((r) => setTimeout(r, 300)); // the last frames come back
    const fromFrame = WARMUP_S * FRAMES_PER_S;
    const toFrame = fromFrame + windowS * FRAMES_PER_S;
    const j = jitterOf(paced.arrivals(), fromFrame, toFrame);
    const expected = streams.length * (toFrame - fromFrame);
    const lateness = [...sender.latenessNs].map((ns) => ns / 1e6).sort((a, b) => a - b);
    // Each frame crosses the relay twice out of the server (caller→far, echo→caller).
    const relayed = 2 * expected;
    const f: StepFigures = {
      calls,
      answered: streams.length,
      senderP50: percentile(j.senderJitter, 0.5),
      senderP99: percentile(j.senderJitter, 0.99),
      latenessP99: percentile(lateness, 0.99),
      addedP50: percentile(j.added, 0.5),
      addedP99: percentile(j.added, 0.99),
      largestGapMs: j.largestGapMs,
      lossPercent: 100 * (1 - j.received / Math.max(1, expected)),
      cpuPercent: cpu.totalUs / 10 / cpu.wallMs,
      usPerPacket: cpu.totalUs / Math.max(1, relayed),
      load: `${loadBefore} → ${load()}`,
    };
    console.log(`-- ${calls} calls (${streams.length} answered), ${windowS} s window after ${WARMUP_S} s warm-up, load ${f.load}`);
    console.log(`sender's own jitter |Δdeparture−20ms|: p50 ${f.senderP50.toFixed(3)} ms, p99 ${f.senderP99.toFixed(3)} ms; late against its deadline p99 ${f.latenessP99.toFixed(3)} ms`);
    console.log(`added jitter |Δarrival−Δdeparture| (through the relay twice and the echo): p50 ${f.addedP50.toFixed(3)} ms, p99 ${f.addedP99.toFixed(3)} ms; largest extra gap ${f.largestGapMs.toFixed(1)} ms`);
    console.log(`loss ${f.lossPercent.toFixed(3)}% (${j.received} of ${expected} frames back)`);
    console.log(`server CPU ${f.cpuPercent.toFixed(1)}% of a core, ${f.usPerPacket.toFixed(2)} µs per relayed packet`);
    reportPauses(j, cpu.serverPauses, receiverPauses.since(cpu.fromMs));
    return f;
  } finally {
    receiverPauses.stop();
    await caller.hangupAll();
    await caller.close();
    await paced.close();
    await rig.close();
  }
}

/** Where the stream stood still: the server's pauses, the receiver's, and those overlapping the largest gap. */
function reportPauses(j: ReturnType<typeof jitterOf>, server: Pause[], receiver: Pause[]): void {
  const wall = hrtimeToWallMs();
  const from = wall(j.largestGapFromNs);
  const to = wall(j.largestGapToNs);
  const cpu = (p: Pause): string => (p.cpuMs !== undefined ? ` (CPU ${p.cpuMs.toFixed(1)} ms)` : '');
  const show = (list: Pause[]): string => list.map((p) => `${p.kind} ${p.durationMs.toFixed(1)} ms${cpu(p)} at +${(p.atMs - from).toFixed(1)}`).join(', ') || 'none';
  console.log(`gaps ≥ 10 ms: ${j.gapsOver10Ms}; pauses ≥ ${PAUSE_MS} ms after the warm-up: server ${describePauses(server)}; receiver ${describePauses(receiver)}`);
  console.log(`largest gap ${new Date(from).toISOString()} (+${(to - from).toFixed(1)} ms): server ${show(overlapping(server, from, to))}; receiver ${show(overlapping(receiver, from, to))}`);
}

const results: StepFigures[] = [];
for (const calls of steps) results.push(await step(calls));
console.log('\ncalls | sender p50/p99 ms | added p50/p99 ms | largest gap ms | loss % | server % core | µs/pkt | load (1/5/15 min, before → after)');
for (const f of results) {
  console.log(`${f.calls} | ${f.senderP50.toFixed(3)} / ${f.senderP99.toFixed(3)} | ${f.addedP50.toFixed(3)} / ${f.addedP99.toFixed(3)} | ${f.largestGapMs.toFixed(1)} | ${f.lossPercent.toFixed(3)} | ${f.cpuPercent.toFixed(1)} | ${f.usPerPacket.toFixed(2)} | ${f.load}`);
}
