// bench/compare still runs end to end on the two servers that need no build:
// Kamailio (one call-rate step) and rtpengine behind Kamailio (a few streaming
// calls), through bench/run.sh as a person runs it, reading what --json wrote.
// It keeps the script from rotting: every call goes through the proxy, the
// iptables counters see the relayed packets, the servers' CPU is read from
// /proc, every run carries its machine-load verdict, and the counting rules are
// gone afterwards. The figures themselves are measured by hand on a quiet
// machine (docs/performance.md); nothing here depends on how fast anything is.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

// bench/ is type-checked on its own (`npx tsc -p bench`), outside this workspace's program:
// its helpers are loaded by URL, with the shapes this test uses.
interface BenchHelpers {
  runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }>;
  treeCpuUs(rootPid: number): number;
  kamailioConfig(listenPort: number, opts: { downstream: { address: string; port: number }; rtpengine?: { address: string; port: number } }): string;
}
const helperUrls = ['lib/run-bench.ts', 'compare/machine-load.ts', 'compare/kamailio.ts'].map((f) => new URL(`../../../bench/${f}`, import.meta.url).href);
const [runner, machineLoad, kamailio] = (await Promise.all(helperUrls.map((u) => import(u)))) as [
  Pick<BenchHelpers, 'runBench'>, Pick<BenchHelpers, 'treeCpuUs'>, Pick<BenchHelpers, 'kamailioConfig'>,
];
const { runBench } = runner;
const { treeCpuUs } = machineLoad;
const { kamailioConfig } = kamailio;

interface Report {
  runs: Array<{
    server: string;
    steps: Array<{ rate: number; calls: number; ok: number; failed: number; msPerCall: number | null; load: { othersCores: number }; refused?: string }>;
    relays: Array<{ streams: number; packetsPerSecond: number; usPerPacket: number | null; load: { othersCores: number }; refused?: string }>;
  }>;
}

t.setTimeout(90_000);

const dir = await mkdtemp(join(tmpdir(), 'tenor-compare-smoke-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

t.test('a finished child process still counts in the benchmark tree CPU (the load check relies on it)', async (t) => {
  const before = treeCpuUs(process.pid);
  // A fixed amount of work, and the CPU the child says it used: no timing involved.
  const burn = 'let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; const u = process.cpuUsage(); console.log(u.user + u.system);';
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', burn]);
  const childUs = Number(stdout.trim());
  const grown = treeCpuUs(process.pid) - before;
  // /proc counts in 10 ms ticks, each reading rounded down (ours before and after, the child's
  // time as it is added to ours): allow three ticks.
  t.ok(grown >= childUs - 30_000, `the tree grew by ${grown} µs, the child used ${childUs} µs`);
});

t.test('the Kamailio configuration takes nothing but an address and ports', async (t) => {
  t.throws(() => kamailioConfig(5060, { downstream: { address: '127.0.0.1", "1"); exit; #', port: 5070 } }), /IPv4 address/);
  t.throws(() => kamailioConfig(5060, { downstream: { address: '127.0.0.1', port: 70_000 } }), /bad port/);
  t.throws(() => kamailioConfig(5060, { downstream: { address: '127.0.0.1', port: 5070 }, rtpengine: { address: 'localhost;x', port: 2223 } }), /IPv4 address/);
  t.match(kamailioConfig(5060, { downstream: { address: '127.0.0.1', port: 5070 } }), /t_relay_to_udp\("127\.0\.0\.1", "5070"\)/);
});

t.test('Kamailio at 20 calls/s and 4 calls through rtpengine, side by side', async (t) => {
  const json = join(dir, 'compare.json');
  const r = await runBench(['compare', '--only', 'kamailio,rtpengine', '--rates', '20', '--streams', '4',
    '--step-seconds', '2', '--window-seconds', '2', '--json', json], 80_000);
  t.equal(r.code, 0, `the script ends cleanly\n${r.out.slice(-3000)}`);
  const report = JSON.parse(await readFile(json, 'utf8')) as Report;

  const kamailio = report.runs.find((x) => x.server === 'kamailio');
  const [step] = kamailio?.steps ?? [];
  t.ok(step, 'the proxy ran its step');
  t.equal(step?.ok, 40, 'every call went through the proxy to the far end and back');
  t.equal(step?.failed, 0, 'no call failed');
  t.ok(typeof step?.msPerCall === 'number' && step.msPerCall > 0, `Kamailio's worker processes are counted (${step?.msPerCall} ms per call)`);
  t.ok(typeof step?.load.othersCores === 'number', 'the machine load beside the step is recorded');
  t.equal(step?.refused !== undefined, (step?.load.othersCores ?? 0) > 0.05, 'the step is refused exactly when others used more than 5% of a core');

  const rtpengine = report.runs.find((x) => x.server === 'rtpengine');
  const [relay] = rtpengine?.relays ?? [];
  t.ok(relay, 'the relay run measured a window');
  t.ok((relay?.packetsPerSecond ?? 0) > 0, `rtpengine relayed the calls' media, counted by iptables (${relay?.packetsPerSecond.toFixed(0)} packets/s of 400)`);
  t.ok(typeof relay?.usPerPacket === 'number' && relay.usPerPacket > 0, `rtpengine's CPU per packet is counted (${relay?.usPerPacket} µs)`);
  t.match(r.out, /\| Kamailio stateful proxy[^\n]*\|/, 'the side-by-side table is printed');

  const { stdout } = await promisify(execFile)('iptables', ['-w', '5', '-S']);
  t.notMatch(stdout, /tenor-cmp-/, 'the counting rules are removed');
});
