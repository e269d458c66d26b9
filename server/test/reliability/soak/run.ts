// One soak run, shared by the suite's 3-minute version
// (server/test/reliability/soak.test.ts) and the long one (bench/soak.ts):
// start the public network, a real `tenor start` and the agents' phones; warm
// up with the same traffic, quiesce, let the server settle and take the
// baseline; run the seeded traffic; quiesce and settle again; compare.
// Quiescing: the campaign paused, every call still up hung up through the API,
// each agent put in a final state drawn from the seed.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Baresip, corpusGreeting, startSipp, toUlaw, type SippProcess } from '../../../../telephony/test/peers/index.js';
import { Prng } from '../../../src/services/campaigns/simulator/prng.js';
import { leakFigures, measure, type Measure } from './probe.js';
import { AGENTS, CAMPAIGN, campaignNumbers, softphoneSecret, writeSoakSite } from './site.js';
import { startTenorServer, type TenorServer } from './tenor-server.js';
import { sleep, Traffic, type ActionName, type Tally } from './traffic.js';

const PUBLIC_NETWORK = fileURLToPath(new URL('../../campaigns-sip/scenarios/uas-public-network.xml', import.meta.url));

export interface SoakOptions {
  seed: number;
  warmupMs: number;
  trafficMs: number;
  /** A fresh folder for the site, the data and SIPp's files. */
  dir: string;
  log: (line: string) => void;
  maxCallers?: number;
  meanGapMs?: number;
  /** How long the server may take to come back to the baseline once traffic stops. */
  settleMs?: number;
}

export interface Leak {
  figure: string;
  baseline: number;
  end: number;
}

export interface SoakResult {
  seed: number;
  baseline: Measure;
  end: Measure;
  /** Figures above the baseline after settling (empty: none). */
  leaks: Leak[];
  /** Every figure at the baseline and the end. */
  figures: Leak[];
  /** How long the server took to come back to the baseline after the last call. */
  settledAfterMs: number;
  /** Agents not in the state the soak left them in. */
  agentsAstray: { login: string; state: string; wanted: string }[];
  tallies: Map<ActionName, Tally>;
  /** The first refusal of each action through the API. */
  refusals: Map<ActionName, string>;
  problems: string[];
  /** null: the server was still running at the end (it never crashed). */
  serverExitCode: number | null;
}

const api = async (server: TenorServer, method: string, url: string, body?: unknown, contentType?: string): Promise<string> => {
  const res = await server.api(method, url, body, contentType);
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${res.body.slice(0, 300)}`);
  return res.body;
};

async function agentStates(server: TenorServer): Promise<Map<string, string>> {
  const list = JSON.parse(await api(server, 'GET', '/api/agents')) as { login: string; state: string }[];
  return new Map(list.map((a) => [a.login, a.state]));
}

const BUSY = new Set(['offered', 'on-call', 'wrap-up']);

/** Pause the campaign, hang up what is still up, then put each agent in the state `finalStates` gives. */
async function quiesce(server: TenorServer, finalStates: Map<string, string>, log: (line: string) => void): Promise<void> {
  await api(server, 'POST', '/api/campaigns/soak/pause');
  const deadline = Date.now() + 90_000;
  for (;;) {
    const states = await agentStates(server);
    const busy = [...states].filter(([, s]) => BUSY.has(s));
    const m = await measure(server);
    if (busy.length === 0 && m.calls === 0) break;
    if (Date.now() > deadline) throw new Error(`calls still up 90 s after traffic stopped: ${m.calls} calls, agents ${JSON.stringify([...states])}`);
    // A campaign call dialed just before the pause rings up to 15 s, then reaches eve: hang it up too.
    for (const [login, state] of busy) {
      if (state !== 'on-call') continue;
      const res = await server.api('POST', `/api/agents/${login}/call/hangup`);
      log(`  quiesce: hung up ${login}'s call (${res.status})`);
    }
    await sleep(1000);
  }
  const now = await agentStates(server);
  for (const [login, state] of finalStates) {
    if (now.get(login) !== state) await api(server, 'POST', `/api/agents/${login}/state`, { state, ...(state === 'break' ? { reason: 'training' } : {}) });
  }
}

/** Polls until `ok(measure)` or the time is up; returns the last measure and how long it took. */
async function settle(server: TenorServer, ok: (m: Measure) => boolean, timeoutMs: number): Promise<{ m: Measure; ms: number }> {
  const start = Date.now();
  for (;;) {
    const m = await measure(server);
    if (ok(m) || Date.now() - start > timeoutMs) return { m, ms: Date.now() - start };
    await sleep(2000);
  }
}

function drawFinalStates(rng: Prng): Map<string, string> {
  return new Map(AGENTS.map((a) => [a.login, rng.next() < 0.5 ? 'ready' : 'break']));
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const rng = new Prng(o.seed);
  const settleMs = o.settleMs ?? 120_000;
  mkdirSync(path.join(o.dir, 'data'), { recursive: true });
  const human = await toUlaw(corpusGreeting('human-en-hello-1'), path.join(o.dir, 'human.ul'));
  const machine = await toUlaw(corpusGreeting('machine-en-reached-1'), path.join(o.dir, 'machine.ul'));
  const totalMs = o.warmupMs + o.trafficMs + 10 * 60_000;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const pstn: SippProcess = await startSipp({ scenario: PUBLIC_NETWORK, files: { 'human.ul': human, 'machine.ul': machine }, pauseMs: 500, timeoutMs: totalMs });
    stops.push(() => pstn.stop(2000));
    await pstn.ready(10_000);
    const server = await startTenorServer({ siteFile: writeSoakSite(o.dir, pstn.port), dataDir: path.join(o.dir, 'data'), rtpPorts: 400, logFile: path.join(o.dir, 'server.log') });
    stops.unshift(() => server.stop());
    o.log(`tenor start: pid ${server.pid}, SIP ${server.sip}, RTP ${server.rtp.from}-${server.rtp.to}`);

    const phones = new Map<string, Baresip>();
    for (const a of AGENTS) {
      const phone = await Baresip.start({ user: a.login, registrar: server.sip, password: softphoneSecret(a.login), registerIntervalS: 300, autoAnswer: a.answers });
      stops.unshift(() => phone.stop());
      if ((await phone.waitForRegistration(20_000)) !== 'ok') throw new Error(`${a.login}'s phone did not register: ${phone.log().slice(-800)}`);
      phones.set(a.login, phone);
      await api(server, 'POST', `/api/agents/${a.login}/state`, { state: 'ready' });
    }

    const minutes = (o.warmupMs + o.trafficMs) / 60_000;
    const csv = `Phone\n${campaignNumbers(Math.ceil(minutes * 10)).join('\n')}\n`;
    await api(server, 'POST', '/api/lists/soak/import?map=phone=Phone&country=DE', csv, 'text/csv');
    await api(server, 'PUT', '/api/campaigns/soak', CAMPAIGN);

    const traffic = new Traffic({ server, phones, rng, dir: o.dir, maxCallers: o.maxCallers ?? 6, meanGapMs: o.meanGapMs ?? 700, log: o.log });
    o.log(`warm-up: ${Math.round(o.warmupMs / 1000)} s of the same traffic`);
    await api(server, 'POST', '/api/campaigns/soak/start');
    await traffic.run(Date.now() + o.warmupMs);
    await quiesce(server, drawFinalStates(rng), o.log);
    // Ended calls' transactions linger 32 s (RFC 3261 timers J and K): the baseline need not wait for
    // them, the end does (drained below).
    const quiet = (m: Measure): boolean => m.calls === 0 && m.bridges === 0 && (m.engine['dialogs'] ?? 0) === 0
      && (m.engine['mediaPorts'] ?? 0) === 0 && m.rtpPortsBound === 0;
    const base = await settle(server, quiet, settleMs);
    if (!quiet(base.m)) throw new Error(`the server did not settle after the warm-up: ${JSON.stringify(leakFigures(base.m))}`);
    const baseline = base.m;
    o.log(`baseline (settled in ${Math.round(base.ms / 1000)} s): ${JSON.stringify(leakFigures(baseline))}, heap after GC ${mb(baseline.heapAfterGcBytes)}`);

    o.log(`traffic: ${Math.round(o.trafficMs / 1000)} s`);
    await api(server, 'POST', '/api/campaigns/soak/start');
    const startedAt = Date.now();
    const progress = setInterval(() => {
      void measure(server).then(
        (m) => o.log(`  ${Math.round((Date.now() - startedAt) / 1000)} s: ${m.calls} calls, ${m.bridges} bridges, ${traffic.callersInFlight} callers, fds ${m.fds}, heap after GC ${mb(m.heapAfterGcBytes)}`),
        (err: unknown) => o.log(`  progress sample failed: ${String(err)}`),
      );
    }, 60_000);
    try {
      await traffic.run(startedAt + o.trafficMs);
    } finally {
      clearInterval(progress);
    }
    const finalStates = drawFinalStates(rng);
    await quiesce(server, finalStates, o.log);
    const quietAt = Date.now();
    const drained = (m: Measure): boolean => (m.engine['transactions'] ?? 0) === 0 && (m.engine['timers'] ?? 0) === 0;
    const back = (m: Measure): boolean => {
      const now = leakFigures(m);
      const was = leakFigures(baseline);
      return Object.entries(now).every(([k, v]) => v <= (was[k] ?? 0)) && drained(m);
    };
    const endSettle = await settle(server, back, settleMs);
    const end = endSettle.m;
    const was = leakFigures(baseline);
    const figures = Object.entries(leakFigures(end)).map(([figure, v]) => ({ figure, baseline: was[figure] ?? 0, end: v }));
    // Transactions and SIP timers must be gone at the end, whatever the baseline still held.
    for (const f of figures) if (f.figure === 'transactions' || f.figure === 'SIP timers') f.baseline = 0;
    const states = await agentStates(server);
    const agentsAstray = [...finalStates].filter(([login, wanted]) => states.get(login) !== wanted).map(([login, wanted]) => ({ login, wanted, state: states.get(login) ?? 'missing' }));
    return {
      seed: o.seed, baseline, end, figures,
      leaks: figures.filter((f) => f.end > f.baseline),
      settledAfterMs: Date.now() - quietAt,
      agentsAstray, tallies: traffic.tallies, refusals: traffic.refusals, problems: traffic.problems,
      serverExitCode: server.exitCode(),
    };
  } finally {
    for (const stop of stops) {
      await stop().catch((err: unknown) => o.log(`cleanup: ${String(err)}`));
    }
  }
}

export const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

/** The run's figures as lines a person reads. */
export function report(r: SoakResult): string[] {
  const lines = [`seed ${r.seed}`];
  for (const [name, t] of r.tallies) lines.push(`  ${name.padEnd(24)} done ${t.done}, refused ${t.refused}, failed ${t.failed}`);
  for (const f of r.figures) lines.push(`  ${f.figure.padEnd(20)} baseline ${f.baseline}, end ${f.end}${f.end > f.baseline ? '  <-- above the baseline' : ''}`);
  const growth = r.end.heapAfterGcBytes - r.baseline.heapAfterGcBytes;
  lines.push(`  heap after GC: baseline ${mb(r.baseline.heapAfterGcBytes)}, end ${mb(r.end.heapAfterGcBytes)}, growth ${mb(growth)}`);
  lines.push(`  back to the baseline ${Math.round(r.settledAfterMs / 1000)} s after the last call; agents astray: ${JSON.stringify(r.agentsAstray)}`);
  for (const [name, why] of r.refusals) lines.push(`  first refusal of ${name}: ${why}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines;
}
