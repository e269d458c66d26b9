// The whole-site load (bench/site-load) in small, run as a person runs it
// (bench/run.sh, --json): 8 agents whose phones are a SIPp behind a trunk, 4
// callers in the IVR menu, callers arriving into three queues, five
// supervisors on /api/events, against the real `tenor start`. What a user
// would notice is asserted: every caller was answered by an agent and none
// failed, the IVR callers stayed in the menu until they hung up, a call record
// was written for every call, and the report carries every figure, each sane.
// No figure is held to a threshold: the figures are the bench's
// (docs/performance.md, "Whole site").
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runBench } from '../../../bench/lib/run-bench.js';
import type { SiteLoadReport } from '../../../bench/site-load/site-load.js';

// About 45 s on the 2-core machine shared by six engineers; a server start alone has taken over 60 s at a load of 23.
t.setTimeout(180_000);

// The folder goes in a finally, not a t.teardown: a teardown makes the root test end itself
// when it is idle, and an assertion made after this 40 s wait then fails as "after automatic end"
// (it did on CI).
const dir = await mkdtemp(join(tmpdir(), 'tenor-site-load-test-'));
let r: SiteLoadReport & { problems: string[] };
try {
  const json = join(dir, 'site-load.json');
  // 8 agents, 4 IVR callers, a 12 s window, callers held 6 s.
  const run = await runBench(['site-load', '8', '4', '0.2', '6', '--json', json], 170_000);
  t.equal(run.code, 0, 'the run is clean (exit 0)', { output: run.out.slice(-3000) });
  r = JSON.parse(await readFile(json, 'utf8')) as SiteLoadReport & { problems: string[] };
} finally {
  await rm(dir, { recursive: true, force: true });
}
t.same(r.problems, [], 'no problem reported');

t.test('every queue caller was answered by an agent, none failed, a record for each', async (t) => {
  t.ok(r.calls.placed >= 8, `callers placed (${r.calls.placed})`);
  t.equal(r.calls.failed, 0, 'no call failed');
  t.equal(r.calls.completed, r.calls.placed, 'every caller stayed its whole call and hung up itself');
  t.equal(r.calls.answeredByAgent, r.calls.placed, 'every caller was answered by an agent (call records)');
  t.equal(r.calls.notAnswered, 0);
  t.equal(r.records.written, r.records.expected, 'one call record per call placed');
  t.equal(r.records.leftOpen, 0, 'no record left open');
  t.ok(r.peaks.agentsOnCall >= 1 && r.peaks.agentsOnCall <= 8, `agents on calls at peak (${r.peaks.agentsOnCall} of 8)`);
});

t.test('the IVR callers stayed in the menu until they hung up', async (t) => {
  t.match(r.ivr, { placed: 4, stayedToTheEnd: 4, failed: 0 }, 'all 4 stayed their whole time');
  t.equal(r.ivr.peakInMenu, 4, 'the server had all 4 in the flow at once');
  t.same(r.ivr.ended, { 'caller-hung-up': 4 }, 'each flow ended with the caller hanging up, none routed away or failed');
});

t.test('the report has every figure, each sane', async (t) => {
  t.equal(r.loadAverageBefore.length, 3, 'the load average before the run');
  t.ok(r.windowSeconds >= 12, `a window of ${r.windowSeconds} s`);
  for (const [name, v] of Object.entries(r.cpu)) t.ok(Number.isFinite(v) && v > 0 && v <= 100 * (name === 'serverPctOfOneCore' ? r.cores : 1) + 1, `cpu.${name} = ${v}`);
  t.ok(r.cpu.serverPctOfAll <= r.cpu.machinePctOfAll + 1, 'the server is part of the machine');
  const l = r.offerLatency;
  t.ok(l.offers >= 1, `offers measured in the window (${l.offers})`);
  t.ok(l.dispatchMs.p50 >= 0 && l.dispatchMs.p50 <= l.dispatchMs.p99 && l.dispatchMs.p99 <= l.dispatchMs.max, `offer latency p50 ${l.dispatchMs.p50} ≤ p99 ${l.dispatchMs.p99} ≤ max ${l.dispatchMs.max} ms`);
  t.ok(l.queuedToInviteMs.p50 >= l.dispatchMs.p50 || l.waitedForAgent > 0, 'queued → INVITE is at least the dispatch part');
  t.ok(r.rtp.packetsReceived > 0, `RTP counted into the server (${r.rtp.packetsReceived} packets)`);
  t.ok(r.rtp.lossPct >= 0 && r.rtp.lossPct <= 100, `loss ${r.rtp.lossPct} %`);
  t.ok(r.rtp.jitterMeanMs >= 0 && r.rtp.jitterMeanMs <= r.rtp.jitterMaxMs, `jitter mean ${r.rtp.jitterMeanMs} ≤ max ${r.rtp.jitterMaxMs} ms`);
  t.ok(r.rssMiB.start > 10 && r.rssMiB.peak >= r.rssMiB.start, `RSS ${r.rssMiB.start} → peak ${r.rssMiB.peak} MiB`);
  t.ok(r.eventLoopDelayMs.max >= r.eventLoopDelayMs.p99Max && r.eventLoopDelayMs.p99Max > 0, 'event-loop delay read from /metrics');
  t.equal(r.supervisors.length, 5, 'five supervisors');
  for (const s of r.supervisors) t.ok(s.snapshots >= 1 && s.events > 0 && s.closedWith === undefined, `a supervisor got its snapshot and ${s.events} events, socket kept`);
});
