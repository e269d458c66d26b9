// Tenor side by side with FreeSWITCH, Kamailio and rtpengine, one server at a
// time, the same SIPp scenarios for all (issue 19, item 6):
//  - call-rate steps with 0 failed calls and the server's CPU per call, drain
//    included: Tenor's embedded B2BUA, FreeSWITCH as a B2BUA (built at -O2 by
//    build-freeswitch-o2.sh, driven by the benchmark server over its event
//    socket), Kamailio as a stateful proxy (call-steps.ts, kamailio.ts);
//  - CPU per relayed RTP packet at 50 and 100 calls: Tenor's relay,
//    FreeSWITCH's, rtpengine's userspace forwarding (relay-runs.ts);
// with every run's machine load checked (machine-load.ts): a run that shared
// the machine is printed as refused, with the reason. FreeSWITCH is set against
// Tenor by its own process's CPU (the Tenor process driving it is shown beside
// it, not charged to it). The table at the end is
// the issue's, with ratios against Tenor and Tenor against the bars (twice
// Kamailio's cost per call: a B2BUA handles about twice a proxy's messages;
// rtpengine's cost per packet).
//
//   bench/run.sh compare [--only tenor,freeswitch,kamailio,rtpengine] [--rates 50,100,250]
//     [--streams 50,100] [--rounds N] [--step-seconds 5] [--hold-ms 1000]
//     [--window-seconds 10] [--max-others 0.05] [--kamailio-children 1] [--json FILE]
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startSipp } from '../../telephony/test/peers/sipp.js';
import { freeUdpRange } from '../../telephony/test/peers/ports.js';
import { median } from '../lib/compare.js';
import { spawnServer } from '../lib/spawn-server.js';
import { highestCleanRate, runCallSteps, type StepFigures, type StepPlan } from './call-steps.js';
import { startKamailio } from './kamailio.js';
import { describeShare, othersNow, treeCpuUs, type OthersShare } from './machine-load.js';
import { RELAY_HEADER, relayThroughRtpengine, relayThroughServer, serverCpu, type RelayFigures, type RelayPlan } from './relay-runs.js';

const SERVERS = ['tenor', 'freeswitch', 'kamailio', 'rtpengine'] as const;
type ServerName = (typeof SERVERS)[number];
const LABELS: Record<ServerName, string> = {
  tenor: 'Tenor embedded B2BUA',
  freeswitch: 'FreeSWITCH B2BUA (-O2, with sofia-sip and spandsp)',
  kamailio: 'Kamailio stateful proxy (no dialogs, no media)',
  rtpengine: 'rtpengine, userspace forwarding',
};
/** Ramps that reach each server's limit on a 2-core machine without wasting minutes below it. */
const DEFAULT_RATES: Record<'tenor' | 'freeswitch' | 'kamailio', number[]> = {
  tenor: [50, 100, 250, 500, 1000],
  freeswitch: [50, 100, 150, 200, 300],
  kamailio: [250, 500, 1000, 2000, 3000],
};
const BUFF = 4 * 1024 * 1024;

function numbers(text: string, what: string): number[] {
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) throw new Error(`${what}: whole numbers from 1, comma-separated, not ${text}`);
  return list;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what}: a positive number, not ${text}`);
  return n;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    only: { type: 'string', default: SERVERS.join(',') },
    rates: { type: 'string' },
    streams: { type: 'string', default: '50,100' },
    rounds: { type: 'string', default: '1' },
    'step-seconds': { type: 'string', default: '5' },
    'hold-ms': { type: 'string', default: '1000' },
    'window-seconds': { type: 'string', default: '10' },
    'max-others': { type: 'string', default: '0.05' },
    'kamailio-children': { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const only = values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
const unknown = only.filter((s) => !(SERVERS as readonly string[]).includes(s));
if (unknown.length > 0 || only.length === 0) throw new Error(`--only: ${unknown.join(', ') || 'none given'}; choose from ${SERVERS.join(', ')}`);
const servers = SERVERS.filter((s) => only.includes(s));
const rounds = positive(values.rounds, '--rounds');
if (!Number.isInteger(rounds)) throw new Error('--rounds: a whole number');
const rates = values.rates === undefined ? undefined : numbers(values.rates, '--rates');
const streamCounts = numbers(values.streams, '--streams');
const stepPlan: StepPlan = {
  rates: [], stepSeconds: positive(values['step-seconds'], '--step-seconds'), holdMs: positive(values['hold-ms'], '--hold-ms'),
  maxOthersCores: positive(values['max-others'], '--max-others'), log: (l) => console.log(l),
};
const kamailioChildren = positive(values['kamailio-children'], '--kamailio-children');
const relayPlan: RelayPlan = { windowSeconds: positive(values['window-seconds'], '--window-seconds'), maxOthersCores: stepPlan.maxOthersCores, log: (l) => console.log(l) };

/** FreeSWITCH at -O2: built once into its own cache by the script beside this one. */
async function freeswitchO2Prefix(): Promise<string> {
  const script = fileURLToPath(new URL('./build-freeswitch-o2.sh', import.meta.url));
  console.log('-- FreeSWITCH -O2 build: cached, or built now (minutes on two cores)');
  const { stdout } = await promisify(execFile)(script, [], { maxBuffer: 1 << 20 });
  const prefix = stdout.trim().split('\n').at(-1);
  if (prefix === undefined || prefix === '') throw new Error('build-freeswitch-o2.sh printed no prefix');
  return prefix;
}

async function b2buaSteps(engine: 'embedded' | 'freeswitch', plan: StepPlan, freeswitchPrefix?: string): Promise<StepFigures[]> {
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 3_600_000, buffSize: BUFF });
  try {
    await uas.ready();
    const server = await spawnServer({ engine, rtpPorts: await freeUdpRange(4000, { belowEphemeral: true }), farPort: uas.port, freeswitchPrefix });
    try {
      return await runCallSteps({
        name: engine, address: server.address,
        cpuUs: serverCpu(server),
        bridged: async () => (await server.sample()).bridged,
      }, plan);
    } finally {
      await server.stop();
    }
  } finally {
    await uas.stop(1000);
  }
}

async function proxySteps(plan: StepPlan): Promise<StepFigures[]> {
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 3_600_000, buffSize: BUFF });
  try {
    await uas.ready();
    const proxy = await startKamailio({ downstream: { address: '127.0.0.1', port: uas.port }, children: kamailioChildren });
    try {
      return await runCallSteps({ name: 'kamailio', address: `${proxy.address}:${proxy.port}`, cpuUs: () => ({ kamailio: treeCpuUs(proxy.pid) }) }, plan);
    } finally {
      await proxy.stop();
    }
  } finally {
    await uas.stop(1000);
  }
}

interface ServerResult {
  server: ServerName;
  round: number;
  quietBefore: OthersShare;
  steps: StepFigures[];
  relays: RelayFigures[];
}

// Ctrl-C (which SIPp, in the same process group, gets too) or a kill ends through process.exit, so the 'exit' hooks
// remove the iptables rules and stop Kamailio and rtpengine.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const results: ServerResult[] = [];
const freeswitchPrefix = servers.includes('freeswitch') ? await freeswitchO2Prefix() : undefined;
if (freeswitchPrefix !== undefined) console.log(`   FreeSWITCH from ${freeswitchPrefix}`);

for (let round = 1; round <= rounds; round++) {
  for (const server of servers) {
    console.log(`\n== ${LABELS[server]}${rounds > 1 ? `, round ${round} of ${rounds}` : ''}`);
    const quiet = await othersNow();
    console.log(`   before the run: ${describeShare(quiet)}${quiet.othersCores > stepPlan.maxOthersCores ? ' (the machine is shared: expect refused runs)' : ''}`);
    const result: ServerResult = { server, round, quietBefore: quiet, steps: [], relays: [] };
    results.push(result);
    const plan = { ...stepPlan, rates: rates ?? (server === 'rtpengine' ? [] : DEFAULT_RATES[server]) };
    if (server === 'tenor' || server === 'freeswitch') result.steps = await b2buaSteps(server === 'tenor' ? 'embedded' : 'freeswitch', plan, freeswitchPrefix);
    if (server === 'kamailio') result.steps = await proxySteps(plan);
    if (server === 'tenor' || server === 'freeswitch' || server === 'rtpengine') {
      console.log(RELAY_HEADER);
      for (const streams of streamCounts) {
        result.relays.push(server === 'rtpengine'
          ? await relayThroughRtpengine(streams, relayPlan)
          : await relayThroughServer(server === 'tenor' ? 'embedded' : 'freeswitch', streams, relayPlan, freeswitchPrefix));
      }
    }
  }
}

// ---- the summary: medians over the rounds of what was not refused
const of = (server: ServerName): ServerResult[] => results.filter((r) => r.server === server);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function cleanRate(server: ServerName): { value: number; refused?: string } {
  const per = of(server).map((r) => ({ rate: highestCleanRate(r.steps), refused: r.steps.find((s) => s.refused !== undefined)?.refused }));
  const clean = per.filter((p) => p.rate > 0).map((p) => p.rate);
  if (clean.length === 0) return { value: NaN, refused: per.find((p) => p.refused)?.refused };
  return { value: median(clean) };
}

/**
 * The part of a server's CPU set against the others: its whole tree, except
 * FreeSWITCH's own process alone (the Tenor process driving it over the event
 * socket is shown beside it, not charged to it: the fairer way round for FreeSWITCH).
 */
const comparedPart = (server: ServerName): string | undefined => (server === 'freeswitch' ? 'freeswitch' : undefined);

/** Median ms per call at a rate over the rounds, from steps with no failure and not refused; `part`: one part's share only. */
function msPerCallAt(server: ServerName, rate: number, part = comparedPart(server)): { value: number; refused?: string } {
  const steps = of(server).flatMap((r) => r.steps.filter((s) => s.rate === rate && s.failed === 0));
  const counted = steps.filter((s) => s.refused === undefined).map((s) => (part === undefined ? s.msPerCall : s.partsMsPerCall[part] ?? NaN));
  return counted.length > 0 ? { value: median(counted) } : { value: NaN, refused: steps[0]?.refused };
}

function usPerPacketAt(server: ServerName, streams: number, part = comparedPart(server)): { value: number; refused?: string } {
  const runs = of(server).flatMap((r) => r.relays.filter((f) => f.streams === streams));
  const counted = runs.filter((f) => f.refused === undefined).map((f) => (part === undefined ? f.usPerPacket : f.partsUsPerPacket[part] ?? NaN));
  return counted.length > 0 ? { value: median(counted) } : { value: NaN, refused: runs[0]?.refused };
}

const show = (f: { value: number; refused?: string }, digits: number, unit: string): string =>
  (Number.isFinite(f.value) ? `${f.value.toFixed(digits)}${unit}` : f.refused !== undefined ? `refused (${f.refused.replace(/ \(limit.*\)/, '')})` : '—');

const ratesRun = (server: ServerName): number[] => [...new Set(of(server).flatMap((r) => r.steps.filter((s) => s.failed === 0).map((s) => s.rate)))].sort((a, b) => a - b);

console.log(`\n== side by side (${new Date().toISOString().slice(0, 16)}Z; a run where others used more than ${pct(stepPlan.maxOthersCores)} of a core is refused)`);
console.log(`| | highest clean calls/s | CPU per call | CPU per relayed RTP packet (${streamCounts.join(' / ')} calls) |`);
console.log('|---|---|---|---|');
for (const server of servers) {
  const rate = server === 'rtpengine' ? '—' : show(cleanRate(server), 0, '');
  // FreeSWITCH's cells: its own process, then with the Tenor process driving it.
  const withDriver = (f: { value: number }, whole: { value: number }, digits: number): string =>
    (server === 'freeswitch' && Number.isFinite(f.value) ? ` (${whole.value.toFixed(digits)} with Tenor driving it)` : '');
  const perCall = server === 'rtpengine' ? '—' : ratesRun(server).map((r) => {
    const f = msPerCallAt(server, r);
    return `${show(f, 2, ' ms')}${withDriver(f, msPerCallAt(server, r, undefined), 2)} at ${r}/s`;
  }).join(', ') || '—';
  const perPacket = server === 'kamailio' ? '—' : streamCounts.map((n) => {
    const f = usPerPacketAt(server, n);
    return `${show(f, 1, ' µs')}${withDriver(f, usPerPacketAt(server, n, undefined), 1)}`;
  }).join(' / ');
  console.log(`| ${LABELS[server]} | ${rate} | ${perCall} | ${perPacket} |`);
}

/** A ratio, or why there is none: a side with no figure that counts (refused, or no clean step) leaves it out. */
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `×${(a / b).toFixed(2)}` : '— (a side has no figure that counts)');
const ratioLines: string[] = [];
if (servers.includes('tenor')) {
  for (const r of ratesRun('tenor')) {
    const tenor = msPerCallAt('tenor', r).value;
    if (servers.includes('freeswitch')) ratioLines.push(`CPU per call at ${r}/s: FreeSWITCH's process / Tenor ${ratio(msPerCallAt('freeswitch', r).value, tenor)}`);
    if (servers.includes('kamailio')) ratioLines.push(`CPU per call at ${r}/s: Tenor / the bar (2 × Kamailio) ${ratio(tenor, 2 * msPerCallAt('kamailio', r).value)}`);
  }
  for (const n of streamCounts) {
    const tenor = usPerPacketAt('tenor', n).value;
    if (servers.includes('freeswitch')) ratioLines.push(`CPU per packet at ${n} calls: FreeSWITCH's process / Tenor ${ratio(usPerPacketAt('freeswitch', n).value, tenor)}`);
    if (servers.includes('rtpengine')) ratioLines.push(`CPU per packet at ${n} calls: Tenor / the bar (rtpengine) ${ratio(tenor, usPerPacketAt('rtpengine', n).value)}`);
  }
}
for (const line of ratioLines) console.log(line);

if (values.json !== undefined) {
  const report = {
    script: 'compare', date: new Date().toISOString(), maxOthersCores: stepPlan.maxOthersCores, rounds,
    stepSeconds: stepPlan.stepSeconds, holdMs: stepPlan.holdMs, kamailioChildren, windowSeconds: relayPlan.windowSeconds, freeswitchPrefix,
    runs: results,
    summary: Object.fromEntries(servers.map((s) => [s, {
      highestCleanRate: cleanRate(s),
      msPerCall: Object.fromEntries(ratesRun(s).map((r) => [r, msPerCallAt(s, r)])),
      usPerPacket: Object.fromEntries(streamCounts.map((n) => [n, usPerPacketAt(s, n)])),
    }])),
    ratios: ratioLines,
  };
  // NaN becomes null: JSON has no NaN.
  await writeFile(values.json, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  console.log(`figures written to ${values.json}`);
}
